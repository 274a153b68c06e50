using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Peercall.Reachability.Tests.Infrastructure;

/// <summary>
/// An HttpClient that trusts one certificate authority and nothing else (not the machine's store), and fails on
/// any certificate error, a name mismatch included. It can be told to connect to a given endpoint whatever the
/// URL's host, so a name like <c>host.local</c> or a LAN address is checked against the certificate while the
/// bytes go to loopback.
/// </summary>
public static class TrustingClient
{
    public static HttpClient Create(X509Certificate2 authority, IPEndPoint? connectTo = null,
        DateTime? verificationTime = null, Action<X509Certificate2, SslPolicyErrors>? seen = null)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            CustomTrustStore = { authority },
        };
        if (verificationTime is { } at)
        {
            policy.VerificationTimeIgnored = false;
            policy.VerificationTime = at;
        }
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = policy,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is not null) seen?.Invoke(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), errors);
                    return errors == SslPolicyErrors.None;
                },
            },
        };
        if (connectTo is not null)
        {
            handler.ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(connectTo.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(connectTo, ct);
                return new NetworkStream(socket, ownsSocket: true);
            };
        }
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
    }
}
