using System.Net;
using System.Text.Json;
using Peercall.Contracts;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Hosting;

public sealed class DiagnosticsTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Fact]
    public async Task Healthz_reports_healthy_while_the_database_answers()
    {
        using var response = await server.SendAsync(HttpMethod.Get, "healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_openapi_document_lists_every_endpoint_with_its_method()
    {
        using var response = await server.SendAsync(HttpMethod.Get, "openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");

        (string Path, string Method, string OperationId)[] expected =
        [
            ("/api/auth/register", "post", "Register"),
            ("/api/auth/login", "post", "Login"),
            ("/api/auth/refresh", "post", "Refresh"),
            ("/api/auth/logout", "post", "Logout"),
            ("/api/users/me", "get", "GetMe"),
            ("/api/users", "get", "ListContacts"),
            ("/api/calls", "post", "PlaceCall"),
            ("/api/calls", "get", "CallHistory"),
            ("/api/calls/missed", "get", "MissedCalls"),
            ("/api/calls/missed/seen", "post", "MarkMissedCallsSeen"),
            ("/api/calls/rtc-configuration", "get", "RtcConfiguration"),
            ("/api/calls/{callId}", "get", "GetCall"),
            ("/api/calls/{callId}/accept", "post", "AcceptCall"),
            ("/api/calls/{callId}/decline", "post", "DeclineCall"),
            ("/api/calls/{callId}/cancel", "post", "CancelCall"),
            ("/api/calls/{callId}/end", "post", "EndCall"),
        ];
        foreach (var (path, method, operationId) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is missing from the OpenAPI document.");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is missing.");
            Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        }
    }

    [Fact]
    public async Task The_api_reference_ui_is_served()
    {
        using var response = await server.SendAsync(HttpMethod.Get, "api/docs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "api/no-such-thing")]
    [InlineData("POST", "api/calls/not-a-guid/accept")]
    [InlineData("GET", "api/users/me/and/more")]
    public async Task An_unknown_api_address_gives_404_problem_details(string method, string path)
    {
        var user = await server.SignUpAsync("lost");
        using var response = await server.SendAsync(new HttpMethod(method), path, method == "POST" ? "{}" : null,
            user.AccessToken);
        await Refusals.ProblemAsync(response, HttpStatusCode.NotFound, ProblemCodes.NotFound);
    }

    /// <summary>Methods a browser's page fallback (GET) never takes, so the API's own answer shows.</summary>
    [Theory]
    [InlineData("DELETE", "api/auth/login")]
    [InlineData("PUT", "api/calls")]
    [InlineData("PATCH", "api/users/me")]
    public async Task A_wrong_method_gives_405_problem_details(string method, string path)
    {
        using var response = await server.SendAsync(new HttpMethod(method), path);
        await Refusals.ProblemAsync(response, HttpStatusCode.MethodNotAllowed, ProblemCodes.MethodNotAllowed);
    }
}
