using System.Net;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Peercall.Contracts.Connect;
using Peercall.Reachability.Tests.Infrastructure;

namespace Peercall.Reachability.Tests.Https;

/// <summary>The server started as an operator starts it, with no URLs given: it makes its own CA and listens for
/// HTTPS everywhere and plain HTTP for loopback.</summary>
public sealed class LanHttpsTests : IAsyncLifetime
{
    private readonly int _httpsPort = FreePort.Next();
    private readonly int _httpPort = FreePort.Next();
    private ServerProcess _server = null!;

    private Uri PlainLoopback => new($"http://127.0.0.1:{_httpPort}/");

    public async Task InitializeAsync() => _server = await StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Every_advertised_name_and_address_is_trusted_through_the_generated_authority_alone()
    {
        using var plain = new HttpClient { BaseAddress = PlainLoopback };
        var info = (await plain.GetFromJsonAsync<ConnectInfo>("api/connect"))!;
        var authority = X509Certificate2.CreateFromPem(await plain.GetStringAsync(info.AuthorityCertificatePath!));
        Assert.Equal(File.ReadAllText(Path.Combine(_server.DataDirectory, "data", "certificates", "ca.crt")).Trim(),
            authority.ExportCertificatePem().Trim());

        // What the page must offer, worked out here independently of the server's code.
        var host = Dns.GetHostName().ToLowerInvariant();
        var expected = LanAddresses().Select(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]" : a.ToString())
            .Append($"{host.Split('.')[0]}.local").Append(host)
            .Select(h => $"https://{h}:{_httpsPort}/").ToHashSet();
        Assert.Equal(expected, info.Urls.ToHashSet());

        foreach (var url in info.Urls.Append($"https://localhost:{_httpsPort}/"))
        {
            // Only the certificate is checked against the name or address: the bytes go to loopback.
            using var client = TrustingClient.Create(authority, new IPEndPoint(IPAddress.Loopback, _httpsPort));
            using var response = await client.GetAsync(new Uri(new Uri(url), "healthz"));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task A_name_the_certificate_does_not_cover_is_refused()
    {
        var authority = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_server.DataDirectory, "data", "certificates", "ca.crt")));
        var errors = SslPolicyErrors.None;
        using var client = TrustingClient.Create(authority, new IPEndPoint(IPAddress.Loopback, _httpsPort), seen: (_, e) => errors = e);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"https://not-this-server.example:{_httpsPort}/healthz"));

        Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, errors);
    }

    [Fact]
    public async Task Plain_http_on_loopback_serves_the_app_itself()
    {
        using var plain = new HttpClient { BaseAddress = PlainLoopback };
        using var response = await plain.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void The_private_keys_are_readable_by_the_server_user_only()
    {
        var folder = Path.Combine(_server.DataDirectory, "data", "certificates");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        foreach (var key in new[] { "ca.key", "server.key" })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, key)));
    }

    [Fact]
    public async Task A_restart_keeps_the_authority_and_the_certificate_devices_already_trust()
    {
        var before = await ServedCertificatesAsync();
        await _server.StopAsync();
        await using var restarted = await StartAsync(_server.DataDirectory);

        var after = await ServedCertificatesAsync();

        Assert.Equal(before, after);
    }

    [Fact]
    public async Task The_connect_page_lists_every_url_with_a_qr_code_and_loads_nothing_from_elsewhere()
    {
        using var plain = new HttpClient { BaseAddress = PlainLoopback };
        var info = (await plain.GetFromJsonAsync<ConnectInfo>("api/connect"))!;
        using var response = await plain.GetAsync("connect");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        foreach (var url in info.Urls) Assert.Contains($">{url}</a>", html);
        // One QR code per URL, one for the CA certificate over plain HTTP.
        Assert.Equal(info.Urls.Count + 1, html.Split("<svg").Length - 1);
        Assert.Contains($"http://{new Uri(info.Urls[0]).Host}:{_httpPort}/connect/peercall-ca.crt", html);
        Assert.Contains(info.Authority!.Sha256, html);
        Assert.Contains(info.Server.Sha256, html);
        foreach (var system in new[] { "Android", "iPhone", "Windows", "macOS", "Linux" }) Assert.Contains(system, html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("href=\"//", html);
        Assert.StartsWith("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Theory]
    [InlineData("connect", "ru-RU,ru;q=0.9,en;q=0.8", "ru")]
    [InlineData("connect", "de-DE,de;q=0.9", "en")]
    [InlineData("connect", "de;q=0.5,ru;q=0.7", "ru")]
    [InlineData("connect?lang=ru", "en-US", "ru")]
    [InlineData("connect?lang=en", "ru-RU", "en")]
    [InlineData("connect?lang=xx", "ru-RU", "ru")]
    public async Task The_connect_page_speaks_the_language_the_app_asks_for_or_the_browser_prefers_and_leads_back(
        string path, string acceptLanguage, string expected)
    {
        using var plain = new HttpClient { BaseAddress = PlainLoopback };
        plain.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var html = await plain.GetStringAsync(path);

        Assert.Contains($"<html lang=\"{expected}\">", html);
        Assert.Contains(expected == "ru" ? "Подключить другое устройство" : "Connect another device", html);
        Assert.Contains(expected == "ru" ? "← Вернуться в Peercall" : "← Back to Peercall", html);
        Assert.Contains(expected == "ru" ? "Доверенные корневые центры сертификации" : "Trusted Root Certification Authorities", html);
    }

    private async Task<(string Authority, string Server)> ServedCertificatesAsync()
    {
        using var plain = new HttpClient { BaseAddress = PlainLoopback };
        var info = (await plain.GetFromJsonAsync<ConnectInfo>("api/connect"))!;
        X509Certificate2? served = null;
        var authority = X509Certificate2.CreateFromPem(await plain.GetStringAsync(info.AuthorityCertificatePath!));
        using var client = TrustingClient.Create(authority, seen: (c, _) => served = c);
        (await client.GetAsync($"https://localhost:{_httpsPort}/healthz")).EnsureSuccessStatusCode();
        Assert.Equal(info.Server.Sha256.Replace(":", ""), served!.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
        return (info.Authority!.Sha256, info.Server.Sha256);
    }

    private Task<ServerProcess> StartAsync(string? dataDirectory = null) => ServerProcess.StartAsync(
        new Uri(PlainLoopback, "healthz"),
        new() { ["Peercall__Https__Port"] = _httpsPort.ToString(), ["Peercall__Https__HttpPort"] = _httpPort.ToString() },
        dataDirectory: dataDirectory);

    private static IEnumerable<IPAddress> LanAddresses() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.NetworkInterfaceType != NetworkInterfaceType.Loopback && n.OperationalStatus != OperationalStatus.Down)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address))
        .Where(a => a.AddressFamily == AddressFamily.InterNetwork
                    || (a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal));
}
