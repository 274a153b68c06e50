using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Peercall.Contracts.Connect;
using Peercall.Reachability.Tests.Infrastructure;

namespace Peercall.Reachability.Tests.Https;

/// <summary>URLs given by the operator (or by the end-to-end tests) are the only listeners: the server adds none
/// of its own and redirects nothing.</summary>
public sealed class ExplicitUrlsTests
{
    private readonly int _httpsPort = FreePort.Next();
    private readonly int _httpPort = FreePort.Next();
    private readonly int _explicitPort = FreePort.Next();

    [Fact]
    public async Task Urls_on_the_command_line_are_the_only_listeners()
    {
        await using var server = await StartAsync(arguments: ["--urls", $"http://127.0.0.1:{_explicitPort}"]);
        await AssertOnlyExplicitListenerAsync();
    }

    [Fact]
    public async Task Urls_in_the_environment_are_the_only_listeners()
    {
        await using var server = await StartAsync(environment: new() { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{_explicitPort}" });
        await AssertOnlyExplicitListenerAsync();
    }

    [Fact]
    public async Task An_explicit_https_url_gets_the_generated_certificate()
    {
        var httpsExplicit = FreePort.Next();
        await using var server = await StartAsync(arguments: ["--urls", $"http://127.0.0.1:{_explicitPort};https://127.0.0.1:{httpsExplicit}"]);
        var authority = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
            File.ReadAllText(Path.Combine(server.DataDirectory, "data", "certificates", "ca.crt")));
        using var client = TrustingClient.Create(authority);

        using var response = await client.GetAsync($"https://localhost:{httpsExplicit}/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var plain = new HttpClient();
        var info = await plain.GetFromJsonAsync<ConnectInfo>($"http://127.0.0.1:{_explicitPort}/api/connect");
        Assert.Empty(info!.Urls); // loopback only: no other device can reach it

        // The connect page says so, and only that: no certificate to trust, no "addresses above" that are not there.
        var page = await plain.GetStringAsync($"http://127.0.0.1:{_explicitPort}/connect");
        Assert.Contains("no other device can reach it", page);
        Assert.DoesNotContain("Trust this server's certificate", page);
        Assert.DoesNotContain("addresses above", page);
        Assert.Contains("href=\"/\" data-test=\"back-to-app\"", page);
    }

    private async Task AssertOnlyExplicitListenerAsync()
    {
        using var plain = new HttpClient();
        using var response = await plain.GetAsync($"http://127.0.0.1:{_explicitPort}/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var port in new[] { _httpsPort, _httpPort })
        {
            using var tcp = new TcpClient();
            var e = await Assert.ThrowsAsync<SocketException>(() => tcp.ConnectAsync(IPAddress.Loopback, port));
            Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
        }
    }

    private Task<ServerProcess> StartAsync(string[]? arguments = null, Dictionary<string, string?>? environment = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Peercall__Https__Port"] = _httpsPort.ToString(),
            ["Peercall__Https__HttpPort"] = _httpPort.ToString(),
        };
        foreach (var (key, value) in environment ?? []) settings[key] = value;
        return ServerProcess.StartAsync(new Uri($"http://127.0.0.1:{_explicitPort}/healthz"), settings, arguments);
    }
}
