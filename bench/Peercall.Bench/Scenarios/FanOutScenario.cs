using System.Diagnostics;
using System.Net;
using Peercall.Bench.Load;
using Peercall.Bench.Reporting;
using Peercall.Bench.Servers;

namespace Peercall.Bench.Scenarios;

/// <summary>
/// Scenario 3: one user comes online and goes offline while every open connection watches. Each repeat times
/// from the action (the subject starts connecting, or closes) until the last watcher has the PresenceChanged
/// event; the load processes share the machine's monotonic clock, so their arrival times compare directly.
/// </summary>
public static class FanOutScenario
{
    private static int _sequence;

    public static async Task RunAsync(BenchContext context, PeercallServer server, ServerResults results)
    {
        var subject = context.Users[context.Settings.PresenceSubject];
        var tls = server.Tls;
        var watchers = await context.OpenConnectionsAsync();
        var online = new List<double>();
        var offline = new List<double>();
        int missedOnline = 0, missedOffline = 0;
        for (var repeat = 0; repeat < context.Settings.FanOutRepeats; repeat++)
        {
            LeanHubConnection? connection = null;
            var (latency, missed) = await TimeAsync(context, subject.Id, "online", async () =>
                connection = await LeanHubConnection.ConnectAsync(IgnoringListener.Instance, IPAddress.Parse("127.0.0.2"),
                    new IPEndPoint(IPAddress.Loopback, server.Port), subject.AccessToken, slot: -1, CancellationToken.None, tls));
            online.Add(latency);
            missedOnline += missed;
            await Task.Delay(300);

            (latency, missed) = await TimeAsync(context, subject.Id, "offline", () =>
            {
                connection!.Close();
                return Task.CompletedTask;
            });
            offline.Add(latency);
            missedOffline += missed;
            await Task.Delay(300);
        }
        var runs = new[]
        {
            new FanOutRun(watchers, "online", online.Count, LatencySummary.FromMilliseconds(online), missedOnline),
            new FanOutRun(watchers, "offline", offline.Count, LatencySummary.FromMilliseconds(offline), missedOffline),
        };
        results.FanOut.AddRange(runs);
        foreach (var run in runs)
            context.Log($"Presence fan-out to {watchers:N0} ({run.Change}): p50 {run.Latency.P50:N1} ms, p99 {run.Latency.P99:N1} ms, " +
                        $"max {run.Latency.Max:N1} ms over {run.Repeats} repeats, {run.Missed} events missed");
    }

    private static async Task<(double Milliseconds, int Missed)> TimeAsync(BenchContext context, Guid subject,
        string presence, Func<Task> act)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        await context.Fleet.AllAsync<object>(WorkerProtocol.Watch, new WatchArgs(subject, presence, sequence), TimeSpan.FromMinutes(1));
        var start = Stopwatch.GetTimestamp();
        await act();
        var seen = await context.Fleet.AllAsync<WatchResult>(WorkerProtocol.WatchWait, new WatchWaitArgs(sequence, 60),
            TimeSpan.FromMinutes(2));
        var last = seen.Max(s => s.LastTs);
        var missed = seen.Sum(s => s.Expected - s.Seen);
        return (last == 0 ? double.NaN : BenchContext.Milliseconds(start, last), missed);
    }
}
