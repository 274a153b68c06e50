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
    public async Task Idle_connections_get_a_ping_every_15_seconds_spread_out_not_all_at_once()
    {
        await using var server = new PeercallServer();
        var user = await server.SignUpAsync("idle");
        var sockets = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => RawHubSocket.ConnectAsync(server, user)));
        var connected = Stopwatch.StartNew();
        try
        {
            // Connections opened together would be pinged together, in one burst a second, by SignalR's own keep-alive.
            var firstPings = await Task.WhenAll(sockets.Select(async socket =>
            {
                Assert.Equal(RawHubSocket.Ping, await RawHubSocket.ReceiveAsync(socket, TimeSpan.FromSeconds(17)));
                var received = connected.Elapsed;
                // Answered, as clients ping too: the server drops a connection silent for 30 s.
                await RawHubSocket.SendAsync(socket, RawHubSocket.Ping);
                return received;
            }));
            Assert.True(firstPings.Max() - firstPings.Min() > TimeSpan.FromSeconds(7.5),
                $"First pings came between {firstPings.Min().TotalSeconds:F1} and {firstPings.Max().TotalSeconds:F1} s.");

            var intervals = await Task.WhenAll(sockets.Select(async (socket, i) =>
            {
                var secondDue = firstPings[i] + TimeSpan.FromSeconds(18) - connected.Elapsed;
                Assert.Equal(RawHubSocket.Ping, await RawHubSocket.ReceiveAsync(socket, secondDue));
                return connected.Elapsed - firstPings[i];
            }));
            // 15 s apart, give or take the test's own scheduling on a busy machine: not a second (SignalR's
            // bursts), not 30 s (the timeout).
            Assert.All(intervals, interval => Assert.InRange(interval, TimeSpan.FromSeconds(13), TimeSpan.FromSeconds(17.5)));
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }
}
