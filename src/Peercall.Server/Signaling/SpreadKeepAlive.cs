using Peercall.Contracts.Signaling;
using Peercall.Server.Realtime;

namespace Peercall.Server.Signaling;

/// <summary>
/// Pings every realtime connection once per <see cref="RealtimeKeepAlive.Interval"/>, a few of them every 50 ms, and
/// drops a connection whose client has said nothing for <see cref="RealtimeKeepAlive.Timeout"/> (clients ping at the
/// same interval), found on the same walk. Pinging all connections due at once, as SignalR did once a second, made
/// bursts that relayed signals waited behind; spread over the interval, the same pings hold nothing up.
/// It runs on the real clock, as the clients' timeouts on the other side do, whatever clock the calls run on.
/// </summary>
public sealed class SpreadKeepAlive(LocalConnections connections) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    /// <summary>One slice of the connections is visited at each tick.</summary>
    public static readonly int Slices = (int)(RealtimeKeepAlive.Interval / Tick);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var time = TimeProvider.System;
        var timeout = (long)RealtimeKeepAlive.Timeout.TotalMilliseconds;
        using var timer = new PeriodicTimer(Tick, time);
        var started = time.GetTimestamp();
        long visited = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            // A late tick catches up on the slices it missed, so no connection goes a whole interval unpinged.
            var due = (long)(time.GetElapsedTime(started) / Tick);
            for (; visited < due; visited++)
                foreach (var session in connections.Slice(visited))
                {
                    if (session.SilentFor > timeout)
                        session.Abort(new TimeoutException($"The client sent nothing for {RealtimeKeepAlive.Timeout.TotalSeconds} seconds."));
                    else
                        // Never throws: a failed write aborts the connection, which then leaves through Remove.
                        _ = session.SendAsync(HubWire.Ping);
                }
        }
    }
}
