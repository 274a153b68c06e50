using System.Text;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Realtime;

/// <summary>
/// WebSocket conformance cases of the kind the Autobahn testsuite runs (fragmentation, control frames, UTF-8,
/// close handshake), sent by hand to the hub. The expected answers are what RFC 6455 requires and what .NET's
/// ManagedWebSocket, under Kestrel, does: it fails a connection by sending a close frame with the status that says
/// why and then ending the TCP connection. Where the RFC lets a server fail a connection without a close frame
/// (section 7.1.7), a dropped connection is accepted too. A record in a frame that fails the connection must not
/// be executed: it is a PlaceCall, and the callee's device must not ring. After every case the server serves a new
/// connection, and logged no error and no stack trace.
/// </summary>
public sealed class WebSocketConformanceTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    private const byte Continuation = 0x0, Text = 0x1, Close = 0x8, Ping = 0x9, Pong = 0xA;
    private const int ProtocolError = 1002, InvalidPayloadData = 1007, NormalClosure = 1000;
    private const string GetConnectionId =
        "{\"type\":1,\"invocationId\":\"ID\",\"target\":\"GetConnectionId\",\"arguments\":[]}\u001e";

    [Fact]
    public async Task A_hub_record_cut_across_three_frames_is_executed_and_answered()
    {
        var mark = server.Logs.WarningMark;
        await using var parties = await PartiesAsync();

        var record = PlaceCall("cut", parties.Callee.Id);
        await parties.Caller.SendAsync(Text, record[..10], fin: false);
        await parties.Caller.SendAsync(Continuation, record[10..40], fin: false);
        await parties.Caller.SendAsync(Continuation, record[40..]);

        Assert.Contains("{\"type\":3,\"invocationId\":\"cut\",\"result\":{", (await parties.Caller.ReceiveSkippingPingsAsync()).Text);
        await parties.CalleeDevice.IncomingAsync();
        await AssertStillServedAsync(mark);
    }

    /// <summary>Control frames may come between the fragments of a message (RFC 6455 section 5.4), and a pong
    /// carries the ping's payload (section 5.5.3), here the longest a control frame may carry.</summary>
    [Fact]
    public async Task A_ping_gets_a_pong_with_its_payload_also_between_the_fragments_of_a_message()
    {
        var mark = server.Logs.WarningMark;
        var user = await server.SignUpAsync("pinger");
        await using var socket = await RawFrames.ConnectAsync(server, user);
        var longest = Enumerable.Range(0, 125).Select(i => (byte)i).ToArray();

        await socket.SendAsync(Ping, longest);
        var pong = await socket.ReceiveSkippingPingsAsync();
        Assert.Equal(Pong, pong.Opcode);
        Assert.Equal(longest, pong.Payload);

        var record = Encoding.UTF8.GetBytes(GetConnectionId.Replace("ID", "between"));
        await socket.SendAsync(Text, record[..10], fin: false);
        await socket.SendAsync(Ping, "first"u8.ToArray());
        await socket.SendAsync(Continuation, record[10..30], fin: false);
        await socket.SendAsync(Ping, "second"u8.ToArray());
        await socket.SendAsync(Continuation, record[30..]);

        Assert.Equal((Pong, "first"), Frame(await socket.ReceiveSkippingPingsAsync()));
        Assert.Equal((Pong, "second"), Frame(await socket.ReceiveSkippingPingsAsync()));
        Assert.Contains("{\"type\":3,\"invocationId\":\"between\",\"result\":\"", (await socket.ReceiveSkippingPingsAsync()).Text);
        await AssertStillServedAsync(mark);
    }

    [Fact]
    public async Task A_continuation_frame_with_no_message_started_fails_the_connection_with_1002_and_is_not_executed()
    {
        var mark = server.Logs.WarningMark;
        await using var parties = await PartiesAsync();

        await parties.Caller.SendAsync(Continuation, PlaceCall("stray", parties.Callee.Id));

        await AssertFailedAsync(parties, ProtocolError);
        await AssertStillServedAsync(mark);
    }

    [Fact]
    public async Task A_new_text_frame_inside_a_fragmented_message_fails_the_connection_with_1002_and_neither_is_executed()
    {
        var mark = server.Logs.WarningMark;
        await using var parties = await PartiesAsync();

        await parties.Caller.SendAsync(Text, PlaceCall("started", parties.Callee.Id)[..20], fin: false);
        await parties.Caller.SendAsync(Text, PlaceCall("interloper", parties.Callee.Id));

        await AssertFailedAsync(parties, ProtocolError);
        await AssertStillServedAsync(mark);
    }

    /// <summary>RFC 6455 section 8.1: a text message that is not UTF-8 fails the connection, with 1007. A hub-level
    /// refusal (a close message with an error) is accepted as well; executing the record is not.</summary>
    [Fact]
    public async Task A_text_message_that_is_not_UTF8_fails_the_connection_with_1007_and_is_not_executed()
    {
        var mark = server.Logs.WarningMark;
        await using var parties = await PartiesAsync();
        var record = PlaceCall("not-utf8-X", parties.Callee.Id);
        record[Array.IndexOf(record, (byte)'X')] = 0xFF;

        await parties.Caller.SendAsync(Text, record);

        var (status, records) = await parties.Caller.ReceiveUntilClosedAsync();
        Assert.True(status is InvalidPayloadData or null || records.Any(IsCloseWithError),
            $"Expected close 1007, a dropped connection or a hub close message with an error; got close {status} after [{string.Join(" ", records)}].");
        await AssertNotExecutedAsync(parties, records);
        await AssertStillServedAsync(mark);
    }

    /// <summary>A close frame's payload is empty or starts with a two-byte status (RFC 6455 section 5.5.1).</summary>
    [Fact]
    public async Task A_close_frame_with_a_one_byte_payload_fails_the_connection_with_1002()
    {
        var mark = server.Logs.WarningMark;
        var user = await server.SignUpAsync("closer");
        await using var socket = await RawFrames.ConnectAsync(server, user);

        await socket.SendAsync(Close, [0x03]);

        await AssertFailedWithAsync(socket, ProtocolError);
        await AssertStillServedAsync(mark);
    }

    /// <summary>Codes below 1000, the reserved 1004, the 1005, 1006 and 1015 that no endpoint may send, codes the
    /// protocol has not assigned (1016 to 2999) and codes above 4999 (RFC 6455 section 7.4).</summary>
    [Theory]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(2999)]
    [InlineData(5000)]
    public async Task A_close_frame_with_a_code_no_endpoint_may_send_fails_the_connection_with_1002(int code)
    {
        var mark = server.Logs.WarningMark;
        var user = await server.SignUpAsync("closer");
        await using var socket = await RawFrames.ConnectAsync(server, user);

        await socket.SendAsync(Close, [(byte)(code >> 8), (byte)code]);

        await AssertFailedWithAsync(socket, ProtocolError);
        await AssertStillServedAsync(mark);
    }

    /// <summary>The reason in a close frame is UTF-8 (RFC 6455 section 5.5.1); .NET answers one that is not with
    /// 1002, the RFC's text suggests 1007: either is a failed connection.</summary>
    [Fact]
    public async Task A_close_frame_whose_reason_is_not_UTF8_fails_the_connection()
    {
        var mark = server.Logs.WarningMark;
        var user = await server.SignUpAsync("closer");
        await using var socket = await RawFrames.ConnectAsync(server, user);

        await socket.SendAsync(Close, [0x03, 0xE8, 0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xFF]);

        var (status, records) = await socket.ReceiveUntilClosedAsync();
        Assert.True(status is ProtocolError or InvalidPayloadData or null,
            $"Expected close 1002 or 1007, or a dropped connection; got close {status} after [{string.Join(" ", records)}].");
        await AssertStillServedAsync(mark);
    }

    [Fact]
    public async Task A_close_frame_with_1000_is_answered_with_1000_and_the_connection_ends()
    {
        var mark = server.Logs.WarningMark;
        var user = await server.SignUpAsync("closer");
        await using var socket = await RawFrames.ConnectAsync(server, user);

        await socket.SendAsync(Close, [0x03, 0xE8, .. "bye"u8]);

        var (status, records) = await socket.ReceiveUntilClosedAsync();
        Assert.True(status == NormalClosure, $"Expected close 1000; got {status?.ToString() ?? "a dropped connection"} after [{string.Join(" ", records)}].");
        Assert.True(await socket.EndsAsync());
        await AssertStillServedAsync(mark);
    }

    private async Task<Parties> PartiesAsync()
    {
        var caller = await server.SignUpAsync("caller");
        var callee = await server.SignUpAsync("callee");
        var calleeDevice = await callee.ConnectAsync();
        return new Parties(await RawFrames.ConnectAsync(server, caller), callee, calleeDevice);
    }

    /// <summary>A PlaceCall record from the raw socket to <paramref name="calleeId"/>: if it is executed, the callee's
    /// device rings.</summary>
    private static byte[] PlaceCall(string invocationId, Guid calleeId) => Encoding.UTF8.GetBytes(
        $"{{\"type\":1,\"invocationId\":\"{invocationId}\",\"target\":\"PlaceCall\",\"arguments\":[{{\"calleeId\":\"{calleeId}\",\"media\":\"audio\"}}]}}\u001e");

    private static async Task AssertFailedAsync(Parties parties, int expected)
    {
        var records = await AssertFailedWithAsync(parties.Caller, expected);
        await AssertNotExecutedAsync(parties, records);
    }

    private static async Task<IReadOnlyList<string>> AssertFailedWithAsync(RawFrames socket, int expected)
    {
        var (status, records) = await socket.ReceiveUntilClosedAsync();
        Assert.True(status == expected || status is null,
            $"Expected close {expected} or a dropped connection; got close {status} after [{string.Join(" ", records)}].");
        return records;
    }

    private static async Task AssertNotExecutedAsync(Parties parties, IReadOnlyList<string> records)
    {
        Assert.DoesNotContain(records, r => r.Contains("\"type\":3", StringComparison.Ordinal) && r.Contains("\"result\"", StringComparison.Ordinal));
        Assert.True(await TestDevice.NothingAsync(parties.CalleeDevice.Incoming, window: TimeSpan.FromMilliseconds(500)),
            "The callee was rung: the server executed a record from a frame it should have refused.");
    }

    private static bool IsCloseWithError(string record) =>
        record.StartsWith("{\"type\":7,", StringComparison.Ordinal) && record.Contains("\"error\":\"", StringComparison.Ordinal);

    private static (byte, string) Frame((byte Opcode, byte[] Payload, string Text) frame) => (frame.Opcode, frame.Text);

    /// <summary>A new user connects and is answered, and the server logged nothing worse than one warning, without
    /// a stack trace, for the offending connection.</summary>
    private async Task AssertStillServedAsync(int mark)
    {
        var user = await server.SignUpAsync("next");
        await using var socket = await RawFrames.ConnectAsync(server, user);
        await socket.SendTextAsync(GetConnectionId.Replace("ID", "next"));
        Assert.Contains("{\"type\":3,\"invocationId\":\"next\",\"result\":\"", (await socket.ReceiveSkippingPingsAsync()).Text);
        server.Logs.AssertCalmSince(mark);
    }

    private sealed record Parties(RawFrames Caller, TestUser Callee, TestDevice CalleeDevice) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Caller.DisposeAsync();
            await CalleeDevice.DisposeAsync();
        }
    }
}
