using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Hosting;

public sealed class CorsTests
{
    private const string Allowed = "http://phone.lan:5173";

    [Fact]
    public async Task Only_configured_origins_may_call_the_api_from_a_browser()
    {
        await using var server = new PeercallServer(new() { ["Peercall:Cors:Origins:0"] = Allowed });

        using var allowed = await PreflightAsync(server, Allowed);
        Assert.Equal(Allowed, Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("POST", string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Methods")));

        using var other = await PreflightAsync(server, "http://evil.example");
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Without_configured_origins_no_other_origin_is_allowed()
    {
        await using var server = new PeercallServer();
        using var response = await PreflightAsync(server, Allowed);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static async Task<HttpResponseMessage> PreflightAsync(PeercallServer server, string origin)
    {
        using var http = server.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "api/auth/login");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return await http.SendAsync(request);
    }
}
