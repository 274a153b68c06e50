using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Peercall.Contracts;
using Peercall.Contracts.Accounts;
using Peercall.Server.Tests.Infrastructure;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Server.Tests.Realtime;

/// <summary>The realtime channel at the level of WebSocket frames and hub records: what a client library hides
/// must still be handled as RFC 6455 and the hub protocol say (the cases a client may not send are in
/// <see cref="WebSocketConformanceTests"/> and <see cref="HubBadInputTests"/>).</summary>
public sealed class RealtimeChannelTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    private const string GetConnectionId = "{\"type\":1,\"invocationId\":\"ID\",\"target\":\"GetConnectionId\",\"arguments\":[]}\u001e";

    [Fact]
    public async Task Two_records_in_one_frame_and_one_record_cut_across_three_frames_are_all_answered()
    {
        var user = await server.SignUpAsync("frames");
        await using var socket = await RawFrames.ConnectAsync(server, user);

        await socket.SendTextAsync(GetConnectionId.Replace("ID", "1") + GetConnectionId.Replace("ID", "2"));
        var records = await socket.ReceiveRecordsAsync(2);
        var (first, second) = (records[0], records[1]);
        Assert.Contains("\"invocationId\":\"1\"", first);
        Assert.Contains("\"invocationId\":\"2\"", second);
        Assert.Equal(first.Replace("\"1\"", "\"2\""), second);

        var cut = Encoding.UTF8.GetBytes(GetConnectionId.Replace("ID", "3"));
        await socket.SendAsync(0x1, cut[..10], fin: false);
        await socket.SendAsync(0x0, cut[10..30], fin: false);
        await socket.SendAsync(0x0, cut[30..]);
        Assert.Equal(first.Replace("\"1\"", "\"3\""), Assert.Single(await socket.ReceiveRecordsAsync(1)));
    }

    [Fact]
    public async Task A_ping_frame_gets_a_pong_with_its_payload_and_a_close_frame_gets_a_close_and_the_user_goes_offline()
    {
        var watcher = await server.SignUpAsync("watcher");
        var user = await server.SignUpAsync("pinger");
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(user);
        await using var socket = await RawFrames.ConnectAsync(server, user);
        await watching.PresenceAsync(user.Id, PresenceState.Online);

        await socket.SendAsync(0x9, "are you there"u8.ToArray());
        var pong = await socket.ReceiveSkippingPingsAsync();
        Assert.Equal(0xA, pong.Opcode);
        Assert.Equal("are you there", pong.Text);

        await socket.SendAsync(0x8, [0x03, 0xE8]);
        var close = await socket.ReceiveSkippingPingsAsync();
        Assert.Equal(0x8, close.Opcode);
        Assert.Equal(1000, BinaryPrimitives.ReadUInt16BigEndian(close.Payload));
        Assert.True(await socket.EndsAsync());
        await watching.PresenceAsync(user.Id, PresenceState.Offline);
    }

    [Fact]
    public async Task An_upgrade_with_a_good_token_is_accepted_and_one_with_a_bad_token_gets_401()
    {
        var user = await server.SignUpAsync("twoways");
        var (accepted, response) = await RawFrames.OpenAsync(server, user.AccessToken);
        await using (accepted)
            Assert.StartsWith("HTTP/1.1 101", response);

        (var refused, response) = await RawFrames.OpenAsync(server, user.AccessToken[..^6] + "AAAAAA");
        await using (refused)
        {
            Assert.StartsWith("HTTP/1.1 401", response);
            Assert.Contains("Server: Kestrel", response);
        }
    }

    [Fact]
    public async Task Negotiation_and_a_plain_request_get_a_problem_that_says_to_open_a_WebSocket()
    {
        var user = await server.SignUpAsync("negotiate");
        using var negotiate = await server.SendAsync(HttpMethod.Post, "hubs/signaling/negotiate?negotiateVersion=1", accessToken: user.AccessToken);
        var problem = await Refusals.ProblemAsync(negotiate, HttpStatusCode.BadRequest, ProblemCodes.BadRequest);
        Assert.Contains("skipNegotiation", problem.GetProperty("detail").GetString());

        using var plain = await server.SendAsync(HttpMethod.Get, "hubs/signaling", accessToken: user.AccessToken);
        problem = await Refusals.ProblemAsync(plain, HttpStatusCode.BadRequest, ProblemCodes.BadRequest);
        Assert.Contains("WebSocket", problem.GetProperty("detail").GetString());

        using var anonymous = await server.SendAsync(HttpMethod.Get, "hubs/signaling");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    /// <summary>Browsers open the WebSocket on the page's HTTP/2 connection when the server offers it (RFC 8441,
    /// an extended CONNECT).</summary>
    [Fact]
    public async Task A_WebSocket_over_HTTP2_is_served_as_well()
    {
        // HTTP/2 without TLS only by prior knowledge, on a listener that speaks nothing else: the account too is
        // made over HTTP/2.
        await using var h2 = new PeercallServer(new() { ["Kestrel:EndpointDefaults:Protocols"] = "Http2" });
        using var http = new HttpClient
        {
            BaseAddress = h2.BaseAddress, DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var account = new { username = "h2user", password = "correct horse" };
        (await http.PostAsJsonAsync("api/auth/register", account)).EnsureSuccessStatusCode();
        var tokens = await (await http.PostAsJsonAsync("api/auth/login", account)).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<TokenPair>();
        using var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var uri = new UriBuilder(new Uri(h2.BaseAddress, "hubs/signaling"))
        {
            Scheme = "ws", Query = $"access_token={Uri.EscapeDataString(tokens!.AccessToken)}",
        }.Uri;
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        await socket.ConnectAsync(uri, invoker, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, socket.HttpStatusCode);

        await RawHubSocket.SendAsync(socket, "{\"protocol\":\"json\",\"version\":1}\u001e");
        Assert.Equal("{}\u001e", await RawHubSocket.ReceiveAsync(socket, TimeSpan.FromSeconds(10)));
        await RawHubSocket.SendAsync(socket, GetConnectionId.Replace("ID", "1"));
        Assert.StartsWith("{\"type\":3,\"invocationId\":\"1\",\"result\":\"", await RawHubSocket.ReceiveAsync(socket, TimeSpan.FromSeconds(10)));
    }
}
