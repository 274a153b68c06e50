using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Peercall.Bench.Load;

/// <summary>
/// How the benchmark reaches Peercall over TLS: it trusts the certificate authority the server generated in its
/// data folder on first start (<c>certificates/ca.crt</c>), and nothing else, as a device on the LAN does once it
/// has installed that CA. The certificate is validated in full, its name included: the server's certificate
/// names 127.0.0.1.
/// </summary>
public sealed class ServerTls(X509Certificate2 authority)
{
    public const string TargetHost = "127.0.0.1";

    /// <summary>The CA certificate's file in a data folder.</summary>
    public static string AuthorityFile(string dataFolder) => Path.Combine(dataFolder, "certificates", "ca.crt");

    public static ServerTls Load(string authorityFile) => new(X509CertificateLoader.LoadCertificateFromFile(authorityFile));

    /// <summary>Options for one connection's <see cref="SslStream"/>; a new set each time, as a chain policy is
    /// not meant to be shared between handshakes.</summary>
    public SslClientAuthenticationOptions ClientOptions() => new()
    {
        TargetHost = TargetHost,
        CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            CustomTrustStore = { authority },
            RevocationMode = X509RevocationMode.NoCheck,
        },
    };

    public HttpClient CreateHttpClient(Uri baseAddress, TimeSpan timeout) =>
        new(new SocketsHttpHandler { SslOptions = ClientOptions() }) { BaseAddress = baseAddress, Timeout = timeout };
}
