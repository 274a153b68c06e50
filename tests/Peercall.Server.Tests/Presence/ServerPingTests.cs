using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Peercall.Contracts.Signaling;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Presence;

/// <summary>
/// The server's keep-alive runs on the real clock, so this test waits for real: about 30 seconds, in a class of its
/// own so that it runs beside the others.
/// </summary>
public sealed class ServerPingTests
{
    private const string Ping = "{\"type\":6}\u001e";

    [Fact]
    public async Task Idle_connections_get_a_ping_every_15_seconds_spread_out_not_all_at_once()
    {
        await using var server = new PeercallServer();
        var user = await server.SignUpAsync("idle");
        var sockets = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => ConnectAsync(server, user)));
        var connected = Stopwatch.StartNew();
        try
        {
            // Connections opened together would be pinged together, in one burst a second, by SignalR's own keep-alive.
            var firstPings = await Task.WhenAll(sockets.Select(async socket =>
            {
                Assert.Equal(Ping, await ReceiveAsync(socket, TimeSpan.FromSeconds(17)));
                return connected.Elapsed;
            }));
            Assert.True(firstPings.Max() - firstPings.Min() > TimeSpan.FromSeconds(7.5),
                $"First pings came between {firstPings.Min().TotalSeconds:F1} and {firstPings.Max().TotalSeconds:F1} s.");

            var first = firstPings[0];
            Assert.Equal(Ping, await ReceiveAsync(sockets[0], first + TimeSpan.FromSeconds(17) - connected.Elapsed));
            Assert.InRange(connected.Elapsed - first, TimeSpan.FromSeconds(14), TimeSpan.FromSeconds(16.5));
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }

    private static async Task<ClientWebSocket> ConnectAsync(PeercallServer server, TestUser user)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var hub = new UriBuilder(new Uri(server.BaseAddress, SignalingRoutes.Hub.TrimStart('/')))
        {
            Scheme = "ws", Query = $"access_token={Uri.EscapeDataString(user.AccessToken)}",
        }.Uri;
        await socket.ConnectAsync(hub, CancellationToken.None);
        await socket.SendAsync("{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray(), WebSocketMessageType.Text,
            endOfMessage: true, CancellationToken.None);
        Assert.Equal("{}\u001e", await ReceiveAsync(socket, TimeSpan.FromSeconds(10)));
        return socket;
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket socket, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[1024];
        var result = await socket.ReceiveAsync(buffer, cancel.Token);
        Assert.True(result.EndOfMessage, "A keep-alive fits in one frame.");
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
