using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Peercall.Contracts.Connect;
using Peercall.Reachability.Tests.Infrastructure;
using Peercall.Server.Certificates;

namespace Peercall.Reachability.Tests.Https;

/// <summary>An operator's own certificate, issued by an intermediate CA as public ones are, replaces the
/// generated authority.</summary>
public sealed class OwnCertificateTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("peercall-own-certificate-").FullName;
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;

    public OwnCertificateTests()
    {
        _root = Authority("CN=Test Root", issuer: null);
        _intermediate = Authority("CN=Test Intermediate", _root);
    }

    [Fact]
    public async Task A_pem_chain_is_served_whole_and_no_authority_is_generated()
    {
        WritePem(Leaf("CN=localhost"), "fullchain.pem", "privkey.pem");
        await using var server = new HttpsTestServer(new()
        {
            ["Peercall:Https:Certificate:Path"] = Path.Combine(_folder, "fullchain.pem"),
            ["Peercall:Https:Certificate:KeyPath"] = Path.Combine(_folder, "privkey.pem"),
        });

        // The client knows only the root: the intermediate must come from the server.
        using var client = TrustingClient.Create(_root);
        using var response = await client.GetAsync(new Uri(server.BaseAddress, "healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(server.DataDirectory, "certificates")));
        var info = (await client.GetFromJsonAsync<ConnectInfo>(new Uri(server.BaseAddress, "api/connect")))!;
        Assert.Null(info.Authority);
        Assert.Null(info.AuthorityCertificatePath);
        Assert.Equal("CN=localhost", info.Server.Subject);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri(server.BaseAddress, "connect/peercall-ca.crt"))).StatusCode);
        // This server listens on loopback only, so its connect page has no certificate steps to give.
        var page = await client.GetStringAsync(new Uri(server.BaseAddress, "connect"));
        Assert.Contains("no other device can reach it", page);
        Assert.DoesNotContain("peercall-ca.crt", page);
    }

    [Fact]
    public async Task A_pfx_with_a_password_is_served_whole()
    {
        var leaf = Leaf("CN=localhost");
        var pfx = new X509Certificate2Collection { leaf, _intermediate }.Export(X509ContentType.Pkcs12, "pfx password")!;
        File.WriteAllBytes(Path.Combine(_folder, "server.pfx"), pfx);
        await using var server = new HttpsTestServer(new()
        {
            ["Peercall:Https:Certificate:Path"] = Path.Combine(_folder, "server.pfx"),
            ["Peercall:Https:Certificate:Password"] = "pfx password",
        });

        using var client = TrustingClient.Create(_root);
        using var response = await client.GetAsync(new Uri(server.BaseAddress, "healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_replaced_certificate_file_is_served_from_the_next_check_on()
    {
        WritePem(Leaf("CN=localhost"), "fullchain.pem", "privkey.pem");
        await using var server = new HttpsTestServer(new()
        {
            ["Peercall:Https:Certificate:Path"] = Path.Combine(_folder, "fullchain.pem"),
            ["Peercall:Https:Certificate:KeyPath"] = Path.Combine(_folder, "privkey.pem"),
        });
        var certificates = server.Services.GetRequiredService<ServerCertificates>();
        var first = certificates.Certificate.Thumbprint;

        var renewed = Leaf("CN=localhost");
        WritePem(renewed, "fullchain.pem", "privkey.pem");
        server.Time.Advance(new HttpsOptions().CheckInterval);
        for (var i = 0; i < 100 && certificates.Certificate.Thumbprint == first; i++) await Task.Delay(50);

        X509Certificate2? served = null;
        using var client = TrustingClient.Create(_root, seen: (c, _) => served = c);
        (await client.GetAsync(new Uri(server.BaseAddress, "healthz"))).EnsureSuccessStatusCode();
        Assert.Equal(renewed.Thumbprint, served!.Thumbprint);
    }

    [Fact]
    public void A_missing_certificate_file_stops_the_server_and_says_which()
    {
        var missing = Path.Combine(_folder, "nope.pem");

        var e = Assert.ThrowsAny<Exception>(() => new HttpsTestServer(new() { ["Peercall:Https:Certificate:Path"] = missing }));

        Assert.Contains($"cannot use '{missing}'", e.GetBaseException().Message);
    }

    private void WritePem(X509Certificate2 leaf, string chainFile, string keyFile)
    {
        File.WriteAllText(Path.Combine(_folder, chainFile), leaf.ExportCertificatePem() + "\n" + _intermediate.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(_folder, keyFile), leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    private X509Certificate2 Leaf(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_intermediate, true, false));
        using var issued = request.Create(_intermediate, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30),
            RandomNumberGenerator.GetBytes(12));
        return issued.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 Authority(string subject, X509Certificate2? issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null) return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var issued = request.Create(issuer, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddDays(300),
            RandomNumberGenerator.GetBytes(12));
        return issued.CopyWithPrivateKey(key);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
