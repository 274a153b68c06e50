using System.Diagnostics;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Presence;

/// <summary>
/// The server's keep-alive runs on the real clock, so this test waits for real: about 30 seconds, in a class of its
/// own so that it runs beside the others.
/// </summary>
public sealed class ServerPingTests
{
    [Fact]
    public async Task Idle_connections_get_a_ping_every_15_seconds()
    {
        await using var server = new PeercallServer();
        var user = await server.SignUpAsync("idle");
        var sockets = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => RawHubSocket.ConnectAsync(server, user)));
        var connected = Stopwatch.StartNew();
        try
        {
            var firstPings = await Task.WhenAll(sockets.Select(async socket =>
            {
                Assert.Equal(RawHubSocket.Ping, await RawHubSocket.ReceiveAsync(socket, TimeSpan.FromSeconds(17)));
                var received = connected.Elapsed;
                // Answered, as clients ping too: the server drops a connection silent for 30 s.
                await RawHubSocket.SendAsync(socket, RawHubSocket.Ping);
                return received;
            }));
            var intervals = await Task.WhenAll(sockets.Select(async (socket, i) =>
            {
                var secondDue = firstPings[i] + TimeSpan.FromSeconds(18) - connected.Elapsed;
                Assert.Equal(RawHubSocket.Ping, await RawHubSocket.ReceiveAsync(socket, secondDue));
                return connected.Elapsed - firstPings[i];
            }));
            // 15 s apart, give or take SignalR's one-second heartbeat and the test's own scheduling on a busy
            // machine: not 30 s (the timeout).
            Assert.All(intervals, interval => Assert.InRange(interval, TimeSpan.FromSeconds(13), TimeSpan.FromSeconds(17.5)));
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }
}
