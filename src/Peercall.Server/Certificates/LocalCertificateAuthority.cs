using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Peercall.Server.Certificates;

/// <summary>
/// The server's own small certificate authority: a CA that devices trust once, and the short-lived server
/// certificates it signs for this machine's names and addresses. ECDSA P-256 keys, which every current browser
/// and operating system accepts.
/// </summary>
public static class LocalCertificateAuthority
{
    public static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);

    /// <summary>Certificates start an hour early so that a device whose clock is a little behind accepts them.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromHours(1);

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    public static X509Certificate2 CreateAuthority(string hostName, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName($"Peercall local CA ({hostName})");
        name.AddOrganizationName("Peercall");
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now - ClockSkew, now + AuthorityLifetime);
    }

    public static X509Certificate2 IssueServerCertificate(X509Certificate2 authority, HostIdentity identity,
        DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(identity.DnsNames[0]);
        name.AddOrganizationName("Peercall");
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in identity.DnsNames) names.AddDnsName(dns);
        foreach (var address in identity.CertificateAddresses) names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        // A certificate cannot outlive the authority that signed it.
        var notBefore = Max(now - ClockSkew, authority.NotBefore.ToUniversalTime());
        var notAfter = Min(now + lifetime, authority.NotAfter.ToUniversalTime());
        using var issued = request.Create(authority, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>True when <paramref name="certificate"/> names exactly these DNS names and addresses.</summary>
    public static bool Covers(X509Certificate2 certificate, HostIdentity identity)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault();
        if (names is null) return false;
        return names.EnumerateDnsNames().Order(StringComparer.Ordinal)
                   .SequenceEqual(identity.DnsNames.Order(StringComparer.Ordinal))
               && names.EnumerateIPAddresses().Select(a => a.ToString()).Order(StringComparer.Ordinal)
                   .SequenceEqual(identity.CertificateAddresses.Select(a => a.ToString()).Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>True when <paramref name="certificate"/> was signed by <paramref name="authority"/>.</summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        return chain.Build(certificate) && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(authority.RawData);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
