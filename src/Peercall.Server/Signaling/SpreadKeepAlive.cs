using Microsoft.AspNetCore.SignalR.Protocol;
using Peercall.Contracts.Signaling;

namespace Peercall.Server.Signaling;

/// <summary>
/// Pings every realtime connection once per <see cref="RealtimeKeepAlive.Interval"/>, a few of them every 50 ms.
/// SignalR's own keep-alive (switched off in <see cref="SignalingSetup"/>) pings, once a second and in one burst,
/// every connection whose interval ran out: with 10,000 open that is 667 pings at once, each in a buffer of its own, and signals
/// relayed meanwhile wait behind them. Spread over the interval, the same pings cost the same but hold nothing up.
/// It runs on the real clock, as SignalR's timeouts on the other side do, whatever clock the calls run on.
/// </summary>
public sealed class SpreadKeepAlive(LocalConnections connections) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    /// <summary>One slice of the connections is pinged at each tick.</summary>
    public static readonly int Slices = (int)(RealtimeKeepAlive.Interval / Tick);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var time = TimeProvider.System;
        using var timer = new PeriodicTimer(Tick, time);
        var started = time.GetTimestamp();
        long pinged = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            // A late tick catches up on the slices it missed, so no connection goes a whole interval unpinged.
            var due = (long)(time.GetElapsedTime(started) / Tick);
            for (; pinged < due; pinged++)
                foreach (var connection in connections.Slice(pinged))
                    // Never throws: a failed write aborts the connection, which then leaves through Remove.
                    _ = connection.WriteAsync(PingMessage.Instance);
        }
    }
}
