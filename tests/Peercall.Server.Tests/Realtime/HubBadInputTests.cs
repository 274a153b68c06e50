using System.Net.WebSockets;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Realtime;

/// <summary>
/// Bad input at the hub protocol's level, on a well-formed WebSocket past the handshake: each record gets a
/// completion with an error or a close message with an error, never a crash. The server keeps serving, and logs
/// at most one warning for the offending connection, without a stack trace.
/// </summary>
public sealed class HubBadInputTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("malformed JSON")]
    [InlineData("an unknown target")]
    [InlineData("too many arguments")]
    [InlineData("too few arguments")]
    [InlineData("a string for a Guid")]
    [InlineData("a number for a list")]
    [InlineData("an object for a Guid")]
    [InlineData("a 100 KB invocation")]
    public async Task A_bad_record_gets_an_error_and_the_server_stays_up(string what)
    {
        var record = Record(what);
        var mark = server.Logs.WarningMark;
        var user = await server.SignUpAsync("badinput");
        using var socket = await RawHubSocket.ConnectAsync(server, user);

        await RawHubSocket.SendAsync(socket, record + "\u001e");

        var answer = await RawHubSocket.NextRecordsAsync(socket, Wait);
        Assert.True(answer is not null, $"For {what}, the server ended the connection without a word.");
        var completion = answer.FirstOrDefault(r => r.StartsWith("{\"type\":3,", StringComparison.Ordinal));
        var close = answer.FirstOrDefault(r => r.StartsWith("{\"type\":7,", StringComparison.Ordinal));
        if (completion is not null)
        {
            Assert.Contains("\"invocationId\":\"bad\"", completion);
            Assert.Contains("\"error\":\"", completion);
            Assert.DoesNotContain("\"result\"", completion);
            // A completion leaves the connection open, and it still works.
            await RawHubSocket.SendAsync(socket, Invocation("GetConnectionId", "[]", "after") + "\u001e");
            Assert.Contains(await RawHubSocket.NextRecordsAsync(socket, Wait) ?? [],
                r => r.StartsWith("{\"type\":3,\"invocationId\":\"after\",\"result\":\"", StringComparison.Ordinal));
        }
        else
        {
            Assert.True(close is not null, $"For {what}, expected a completion or a close message; got {string.Join(" ", answer)}");
            Assert.Matches("\"error\":\"[^\"]+\"", close);
        }
        Assert.DoesNotContain(answer, r => r.Contains("   at ", StringComparison.Ordinal) || r.Contains(".cs:line", StringComparison.Ordinal));

        await AssertStillServedAsync(mark);
    }

    [Fact]
    public async Task A_handshake_for_a_protocol_the_server_does_not_speak_is_refused_with_an_error()
    {
        var mark = server.Logs.WarningMark;
        var user = await server.SignUpAsync("handshake");
        using var socket = await RawHubSocket.OpenAsync(server, user);

        await RawHubSocket.SendAsync(socket, "{\"protocol\":\"carrier-pigeon\",\"version\":1}\u001e");

        var answer = await RawHubSocket.NextRecordsAsync(socket, Wait);
        Assert.NotNull(answer);
        Assert.Matches("^\\{\"error\":\"[^\"]+\"\\}$", Assert.Single(answer));
        Assert.Null(await RawHubSocket.NextRecordsAsync(socket, Wait));
        await AssertStillServedAsync(mark);
    }

    private static string Record(string what) => what switch
    {
        "malformed JSON" => "{\"type\":1,\"invocationId\":\"bad\",\"target\":",
        "an unknown target" => Invocation("NoSuchMethod", "[]"),
        "too many arguments" => Invocation("GetConnectionId", "[1,2]"),
        "too few arguments" => Invocation("AcceptCall", "[]"),
        "a string for a Guid" => Invocation("AcceptCall", "[\"not a guid\"]"),
        "a number for a list" => Invocation("WatchPresence", "[42]"),
        "an object for a Guid" => Invocation("EndCall", "[{\"id\":1},\"hung-up\"]"),
        // Over the hub's 80 KB message limit.
        "a 100 KB invocation" => Invocation("SendSignal",
            $"[{{\"callId\":\"{Guid.NewGuid()}\",\"kind\":\"offer\",\"payload\":\"{new string('x', 100 * 1024)}\"}}]"),
        _ => throw new ArgumentOutOfRangeException(nameof(what), what, null),
    };

    private static string Invocation(string target, string arguments, string invocationId = "bad") =>
        $"{{\"type\":1,\"invocationId\":\"{invocationId}\",\"target\":\"{target}\",\"arguments\":{arguments}}}";

    private async Task AssertStillServedAsync(int mark)
    {
        var user = await server.SignUpAsync("next");
        using var socket = await RawHubSocket.ConnectAsync(server, user);
        await RawHubSocket.SendAsync(socket, Invocation("GetConnectionId", "[]", "next") + "\u001e");
        Assert.Contains(await RawHubSocket.NextRecordsAsync(socket, Wait) ?? [],
            r => r.StartsWith("{\"type\":3,\"invocationId\":\"next\",\"result\":\"", StringComparison.Ordinal));
        server.Logs.AssertCalmSince(mark);
    }
}
