using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Peercall.Server.Certificates;

/// <summary>
/// The certificate every HTTPS connection gets, replaced while the server runs: a generated one is renewed before
/// it expires and re-issued when the machine's names or addresses change; an operator's own one is reloaded when
/// its file changes. Kestrel asks for <see cref="Context"/> on each TLS handshake, so a replacement needs no restart.
/// </summary>
public sealed class ServerCertificates
{
    private readonly HttpsOptions _options;
    private readonly CertificateFolder _folder;
    private readonly IHostIdentitySource _identity;
    private readonly TimeProvider _time;
    private readonly ILogger<ServerCertificates> _logger;
    private readonly Lock _refreshing = new();
    private volatile Issued _current;
    private DateTime _ownCertificateWrittenAt;

    public ServerCertificates(IOptions<HttpsOptions> options, CertificateFolder folder, IHostIdentitySource identity,
        TimeProvider time, ILogger<ServerCertificates> logger)
    {
        _options = options.Value;
        _folder = folder;
        _identity = identity;
        _time = time;
        _logger = logger;
        _current = IsOwn ? LoadOwn() : Generated(identity.Current(), replacing: null);
    }

    /// <summary>True when the operator configured a certificate; there is then no generated authority.</summary>
    public bool IsOwn => _options.Certificate.Path is not null;

    public X509Certificate2 Certificate => _current.Certificate;

    /// <summary>The generated CA that devices trust, or null with the operator's own certificate.</summary>
    public X509Certificate2? Authority => _current.Authority;

    /// <summary>The machine's names and addresses when the certificate was last checked.</summary>
    public HostIdentity Identity => _current.Identity;

    /// <summary>The certificate with its chain, ready for a TLS handshake.</summary>
    public SslStreamCertificateContext Context => _current.Context;

    /// <summary>Checks the certificate against the clock, the machine's addresses and the operator's files; returns
    /// true when it was replaced.</summary>
    public bool Refresh()
    {
        lock (_refreshing)
        {
            var before = _current;
            if (IsOwn)
            {
                if (File.GetLastWriteTimeUtc(_options.Certificate.Path!) != _ownCertificateWrittenAt) _current = LoadOwn();
            }
            else
            {
                var identity = _identity.Current();
                if (NeedsNewCertificate(before, identity)) _current = Generated(identity, before);
                else _current = before with { Identity = identity };
            }
            return !ReferenceEquals(before.Certificate, _current.Certificate);
        }
    }

    private bool NeedsNewCertificate(Issued current, HostIdentity identity) =>
        current.Certificate.NotAfter.ToUniversalTime() - _options.RenewBefore <= _time.GetUtcNow()
        || !LocalCertificateAuthority.Covers(current.Certificate, identity);

    private Issued Generated(HostIdentity identity, Issued? replacing)
    {
        var now = _time.GetUtcNow();
        var authority = replacing?.Authority ?? _folder.LoadAuthority();
        // An authority that would expire before the next server certificate is replaced, as if it were missing.
        if (authority is null || authority.NotAfter.ToUniversalTime() < now + _options.ServerCertificateLifetime)
        {
            if (authority is not null)
                _logger.LogWarning("The certificate authority expires on {NotAfter}: creating a new one, which every device must trust again",
                    authority.NotAfter);
            authority = NewAuthority(identity, now);
        }

        var server = replacing is null ? _folder.LoadServer() : null;
        var candidate = server is null ? null : new Issued(server, authority, identity);
        if (candidate is not null && LocalCertificateAuthority.IsIssuedBy(server!, authority)
            && !NeedsNewCertificate(candidate, identity))
            return candidate;

        using var issued = LocalCertificateAuthority.IssueServerCertificate(authority, identity, now, _options.ServerCertificateLifetime);
        _folder.SaveServer(issued);
        _logger.LogInformation("Issued a server certificate for {Names} and {Addresses}, valid until {NotAfter}",
            identity.DnsNames, identity.CertificateAddresses.Select(a => a.ToString()), issued.NotAfter.ToUniversalTime());
        return new Issued(CertificateFolder.Usable(issued), authority, identity);
    }

    private X509Certificate2 NewAuthority(HostIdentity identity, DateTimeOffset now)
    {
        using var created = LocalCertificateAuthority.CreateAuthority(identity.HostName, now);
        _folder.SaveAuthority(created);
        _logger.LogInformation("Created the certificate authority {Subject} in {Folder}", created.Subject, _folder.Path);
        return CertificateFolder.Usable(created);
    }

    private Issued LoadOwn()
    {
        var own = _options.Certificate;
        _ownCertificateWrittenAt = File.GetLastWriteTimeUtc(own.Path!);
        var chain = OwnCertificate.Load(own);
        _logger.LogInformation("Using the configured certificate {Subject} from {Path}, valid until {NotAfter}",
            chain[0].Subject, own.Path, chain[0].NotAfter.ToUniversalTime());
        return new Issued(chain[0], null, _identity.Current(), [.. chain.Skip(1)]);
    }

    private sealed record Issued(X509Certificate2 Certificate, X509Certificate2? Authority, HostIdentity Identity,
        X509Certificate2[]? Chain = null)
    {
        public SslStreamCertificateContext Context { get; } =
            SslStreamCertificateContext.Create(Certificate, new X509Certificate2Collection(Chain ?? []), offline: true);
    }
}
