using Peercall.Bench.Load;
using Peercall.Bench.Reporting;
using Peercall.Bench.Servers;

namespace Peercall.Bench.Scenarios;

/// <summary>
/// Scenario 2: pairs of clients exchange offer-, answer- and candidate-sized signals at a steady rate while the
/// idle connections stay open. For Peercall each pair is in an accepted call, placed and answered over the hub
/// so that the call is bound to those very connections. A pair's two ends live in the same load process, so the
/// send time in the payload and the receive time come from one clock.
/// </summary>
public static class RelayScenario
{
    public static async Task RunAsync(BenchContext context, ServerProcess server, ServerResults results)
    {
        var settings = context.Settings;
        var pairs = Enumerable.Range(0, settings.RelayPairs)
            .Select(i => new UserPair(settings.RelayUserOffset + 2 * i, settings.RelayUserOffset + 2 * i + 1)).ToArray();
        results.Relay.AddRange(await RunPairsAsync(context, [server], pairs, server.Name));
    }

    /// <summary>Sets up <paramref name="pairs"/> in the first load process, relays at every rate of the plan while
    /// the CPU of <paramref name="servers"/> is measured, and tears the pairs down.</summary>
    public static async Task<List<RelayRun>> RunPairsAsync(BenchContext context, IReadOnlyList<ServerProcess> servers,
        UserPair[] pairs, string name)
    {
        var settings = context.Settings;
        var runs = new List<RelayRun>();
        var open = await context.OpenConnectionsAsync();
        var relay = context.Fleet[0];
        await relay.SendAsync<object>(WorkerProtocol.RelaySetup, new RelaySetupArgs(pairs), TimeSpan.FromMinutes(10));
        await BenchContext.SettleAsync(servers, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(2));
        try
        {
            foreach (var rate in settings.RelayRates)
            {
                var window = new CpuWindow(servers.Select(s => s.Pid), context.Fleet.ProcessIds);
                var run = await relay.SendAsync<RelayRunResult>(WorkerProtocol.RelayRun,
                    new RelayRunArgs(rate, settings.RelaySeconds + settings.RelayWarmupSeconds, settings.RelayWarmupSeconds, DrainSeconds: 2),
                    TimeSpan.FromMinutes(10));
                var (cpu, load, other) = window.Percent();
                int[] all = [.. run.Offer, .. run.Answer, .. run.Candidate];
                var result = new RelayRun(rate, open, pairs.Length, run.Sent, run.Received, run.Errors,
                    run.Sent / settings.RelaySeconds, LatencySummary.FromMicroseconds(all),
                    new Dictionary<string, LatencySummary>
                    {
                        ["offer"] = LatencySummary.FromMicroseconds(run.Offer),
                        ["answer"] = LatencySummary.FromMicroseconds(run.Answer),
                        ["candidate"] = LatencySummary.FromMicroseconds(run.Candidate),
                    },
                    LatencyCurve.FromMicroseconds(all), cpu, load, other, run.FirstError);
                runs.Add(result);
                var l = result.Latency;
                context.Log($"{name} relay {rate:N0}/s with {open:N0} open: p50 {l.P50:N2} ms, p95 {l.P95:N2}, p99 {l.P99:N2}, " +
                            $"max {l.Max:N1}; sent {run.Sent:N0}, received {run.Received:N0}, errors {run.Errors}; CPU server {cpu:N0}%, load {load:N0}%, others {other:N0}%");
                if (run.FirstError is { } error) context.Log($"  first error: {error}");
                await Task.Delay(1000);
            }
        }
        finally
        {
            await relay.SendAsync<object>(WorkerProtocol.RelayTeardown, new { }, TimeSpan.FromMinutes(5));
        }
        return runs;
    }
}
