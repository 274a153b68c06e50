using System.Net;
using System.Net.Http.Headers;
using Peercall.EndToEnd.Tests.Infrastructure;

namespace Peercall.EndToEnd.Tests.WebClient;

/// <summary>How the server hands out the web client: compressed, cached where safe, and never in place of the
/// API.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WebClientHostingTests(EndToEndFixture env)
{
    [Fact]
    public async Task Client_routes_get_the_app_while_server_routes_keep_their_own_answers()
    {
        using var http = new HttpClient { BaseAddress = env.Server.BaseAddress };

        foreach (var route in new[] { "", "history", "signin", "some/deep/link" })
        {
            using var page = await http.GetAsync(route);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("_framework/blazor.webassembly.js", await page.Content.ReadAsStringAsync());
            Assert.True(page.Headers.CacheControl?.NoCache, $"/{route} may be cached without asking again.");
        }

        foreach (var route in new[] { "api/nothing-here", "hubs/nothing-here", "openapi/nothing-here", "healthz/x" })
        {
            using var response = await http.GetAsync(route);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
    }

    [Fact]
    public async Task Framework_files_travel_precompressed()
    {
        using var http = new HttpClient { BaseAddress = env.Server.BaseAddress };
        (string Encoding, string File)[] cases =
            [("br", "_framework/dotnet.native.wasm"), ("gzip", "_framework/dotnet.native.wasm"), ("br", "js/webrtc.js")];
        foreach (var (encoding, file) in cases)
        {
            using var response = await SendAsync(http, file, encoding);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
        }

        using var plain = await http.GetAsync("_framework/dotnet.native.wasm");
        using var compressed = await SendAsync(http, "_framework/dotnet.native.wasm", "br");
        Assert.True(compressed.Content.Headers.ContentLength * 2 < plain.Content.Headers.ContentLength,
            $"Brotli {compressed.Content.Headers.ContentLength} B vs {plain.Content.Headers.ContentLength} B plain.");
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string file, string encoding)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, file);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        return http.SendAsync(request);
    }
}
