using System.Net;
using System.Text.Json;
using Peercall.Client;

namespace Peercall.Server.Tests.Infrastructure;

/// <summary>Assertions for the ways the server says no: ProblemDetails over HTTP, coded hub errors over SignalR.</summary>
public static class Refusals
{
    /// <summary>Things that must never reach a client: stack frames, exception type names, source paths.</summary>
    private static readonly string[] Leaks = ["   at ", ".cs:line", "Exception", "StackTrace", "stackTrace", "SQLite Error"];

    /// <summary>Asserts the client call fails with this status and problem code, and returns the failure.</summary>
    public static async Task<PeercallApiException> ApiAsync(Func<Task> action, HttpStatusCode status, string code)
    {
        var e = await Assert.ThrowsAsync<PeercallApiException>(action);
        Assert.Equal(status, e.Status);
        Assert.Equal(code, e.Code);
        Assert.False(string.IsNullOrWhiteSpace(e.Problem.Detail), "A refusal says why in words.");
        return e;
    }

    /// <summary>Asserts the hub invocation fails with a hub error carrying this code: its message starts with it.</summary>
    public static async Task<PeercallHubException> HubAsync(Func<Task> action, string code)
    {
        var e = await Assert.ThrowsAsync<PeercallHubException>(action);
        Assert.Equal(code, e.Code);
        Assert.StartsWith($"{code}: ", e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.Detail), "A refusal says why in words.");
        AssertNoLeaks(e.Detail);
        return e;
    }

    /// <summary>Asserts the response is ProblemDetails with this status (and code), without internals; returns
    /// its JSON.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status,
        string? code = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        AssertNoLeaks(body);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), "A problem has a title.");
        if (code is not null) Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    public static void AssertNoLeaks(string text)
    {
        foreach (var leak in Leaks)
            Assert.False(text.Contains(leak, StringComparison.Ordinal), $"'{leak}' leaked to the client: {text}");
    }
}
