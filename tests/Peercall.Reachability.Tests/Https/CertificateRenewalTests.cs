using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Peercall.Server.Certificates;
using Peercall.Server.Hosting;

namespace Peercall.Reachability.Tests.Https;

/// <summary>When the generated certificate is renewed and re-issued, driven by a <see cref="FakeTimeProvider"/>
/// and a machine whose addresses the test sets.</summary>
public sealed class CertificateRenewalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("peercall-certificates-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly SettableIdentity _machine = new("peercall-box", IPAddress.Parse("192.168.7.20"), IPAddress.Parse("fd12::20"));
    private readonly HttpsOptions _options = new();

    [Fact]
    public void The_first_start_creates_an_authority_and_a_certificate_for_every_name_and_address()
    {
        var certificates = Start();

        var server = certificates.Certificate;
        var authority = certificates.Authority!;
        var names = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["peercall-box", "peercall-box.local", "localhost"], names.EnumerateDnsNames());
        Assert.Equal(["127.0.0.1", "::1", "192.168.7.20", "fd12::20"], names.EnumerateIPAddresses().Select(a => a.ToString()));
        Assert.True(LocalCertificateAuthority.IsIssuedBy(server, authority));
        Assert.True(server.HasPrivateKey);
        Assert.Contains(server.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(),
            o => o.Value == "1.3.6.1.5.5.7.3.1");
        var constraints = authority.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints is { CertificateAuthority: true, HasPathLengthConstraint: true, PathLengthConstraint: 0 });
        Assert.False(server.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(_time.GetUtcNow() + _options.ServerCertificateLifetime, server.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.True(File.Exists(Path.Combine(_folder, "certificates", "ca.key")));
    }

    [Fact]
    public void The_certificate_is_renewed_once_it_is_within_the_renewal_window_and_not_before()
    {
        var certificates = Start();
        var first = certificates.Certificate;
        var authority = certificates.Authority!.Thumbprint;
        var windowOpens = first.NotAfter.ToUniversalTime() - _options.RenewBefore;

        _time.SetUtcNow(windowOpens - TimeSpan.FromMinutes(1));
        Assert.False(certificates.Refresh());
        Assert.Same(first, certificates.Certificate);

        _time.SetUtcNow(windowOpens + TimeSpan.FromMinutes(1));
        Assert.True(certificates.Refresh());

        Assert.NotEqual(first.SerialNumber, certificates.Certificate.SerialNumber);
        Assert.True(certificates.Certificate.NotAfter > first.NotAfter);
        Assert.Equal(authority, certificates.Authority!.Thumbprint);
        Assert.False(certificates.Refresh());
    }

    [Fact]
    public void A_new_address_gets_a_certificate_that_covers_it_and_a_lost_one_a_certificate_without_it()
    {
        var certificates = Start();
        var authority = certificates.Authority!.Thumbprint;

        _machine.Addresses = [.. _machine.Addresses, IPAddress.Parse("10.20.30.40")];
        Assert.True(certificates.Refresh());
        Assert.Contains("10.20.30.40", AddressesOf(certificates.Certificate));

        _machine.Addresses = [IPAddress.Parse("10.20.30.40")];
        Assert.True(certificates.Refresh());
        Assert.DoesNotContain("192.168.7.20", AddressesOf(certificates.Certificate));

        Assert.False(certificates.Refresh());
        Assert.Equal(authority, certificates.Authority!.Thumbprint);
    }

    [Fact]
    public void A_restart_uses_what_is_stored()
    {
        var first = Start();

        var second = Start();

        Assert.Equal(first.Authority!.Thumbprint, second.Authority!.Thumbprint);
        Assert.Equal(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
    }

    [Fact]
    public void A_restart_with_other_addresses_reissues_the_certificate_but_keeps_the_authority()
    {
        var first = Start();
        _machine.Addresses = [IPAddress.Parse("172.16.5.5")];

        var second = Start();

        Assert.Equal(first.Authority!.Thumbprint, second.Authority!.Thumbprint);
        Assert.NotEqual(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
        Assert.Contains("172.16.5.5", AddressesOf(second.Certificate));
    }

    [Fact]
    public void A_damaged_certificate_file_is_replaced_at_start()
    {
        var first = Start();
        File.WriteAllText(Path.Combine(_folder, "certificates", "server.key"), "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");

        var second = Start();

        Assert.Equal(first.Authority!.Thumbprint, second.Authority!.Thumbprint);
        Assert.NotEqual(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
        Assert.True(LocalCertificateAuthority.IsIssuedBy(second.Certificate, second.Authority));
    }

    [Fact]
    public void An_authority_that_would_expire_before_the_next_certificate_is_replaced()
    {
        var certificates = Start();
        var authority = certificates.Authority!;

        _time.SetUtcNow(authority.NotAfter.ToUniversalTime() - _options.ServerCertificateLifetime + TimeSpan.FromDays(1));
        Assert.True(certificates.Refresh());

        Assert.NotEqual(authority.Thumbprint, certificates.Authority!.Thumbprint);
        Assert.True(LocalCertificateAuthority.IsIssuedBy(certificates.Certificate, certificates.Authority));
    }

    private ServerCertificates Start()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Peercall:DataDirectory"] = _folder }).Build();
        var data = new DataFolder(configuration, new HostingEnvironment { ContentRootPath = _folder });
        return new ServerCertificates(Options.Create(_options), new CertificateFolder(data), _machine, _time,
            NullLogger<ServerCertificates>.Instance);
    }

    private static string[] AddressesOf(X509Certificate2 certificate) => certificate.Extensions
        .OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses().Select(a => a.ToString()).ToArray();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class SettableIdentity(string hostName, params IPAddress[] addresses) : IHostIdentitySource
    {
        public IPAddress[] Addresses { get; set; } = addresses;

        public HostIdentity Current() => new(hostName, Addresses);
    }
}
