using System.Diagnostics;
using Peercall.Bench.Load;
using Peercall.Bench.Reporting;
using Peercall.Bench.Servers;

namespace Peercall.Bench.Scenarios;

/// <summary>Scenario 1: open idle connections up to a step, let them sit, and see what they cost the server.</summary>
public static class IdleScenario
{
    public static async Task<IdleStep> RampAsync(BenchContext context, ServerProcess server, ServerResults results, int step)
    {
        var settings = context.Settings;
        var rampCpu = new CpuWindow(server.Pid, context.Fleet.ProcessIds);
        var (grown, ramp) = await GrowAsync(context, server.Name, step);
        var (rampServer, rampLoad, rampOther) = rampCpu.Percent();

        await BenchContext.SettleAsync(server, TimeSpan.FromSeconds(settings.SettleSeconds), TimeSpan.FromMinutes(5));
        var idleCpu = new CpuWindow(server.Pid, context.Fleet.ProcessIds);
        await Task.Delay(TimeSpan.FromSeconds(settings.CpuWindowSeconds));
        var (cpu, _, other) = idleCpu.Percent();
        var rss = ProcessMetrics.RssKb(server.Pid);
        var open = await context.OpenConnectionsAsync();
        var previous = results.Idle.LastOrDefault();
        var (previousRss, previousOpen) = previous is null ? (results.BaselineRssKb, 0) : (previous.RssKb, previous.Open);
        var opened = grown.Sum(g => g.Opened);
        var errors = grown.SelectMany(g => g.Errors).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));
        var result = new IdleStep(step, open, grown.Sum(g => g.Failed), ramp, opened / ramp, rss,
            open == 0 ? 0 : (double)(rss - results.BaselineRssKb) / open,
            open == previousOpen ? 0 : (double)(rss - previousRss) / (open - previousOpen),
            cpu, rampServer, rampLoad, Math.Max(rampOther, other), ProcessMetrics.OpenFiles(server.Pid), errors);
        results.Idle.Add(result);
        context.Log($"{server.Name} idle at {open:N0}: RSS {rss / 1024.0:N0} MB, {result.KbPerConnection:N1} KB/connection " +
                    $"(marginal {result.MarginalKbPerConnection:N1}), CPU idle {cpu:N1}%, ramp {ramp:N1} s at {result.ConnectsPerSecond:N0}/s " +
                    $"(server {rampServer:N0}%, load {rampLoad:N0}%, others {rampOther:N0}%), {result.Failed} failed");
        foreach (var (error, count) in errors) context.Log($"  failed {count}x: {error}");
        return result;
    }

    /// <summary>Opens idle connections until the load processes hold <paramref name="step"/>, showing progress;
    /// returns what each process opened and how many seconds it took.</summary>
    public static async Task<(GrowResult[] Grown, double Seconds)> GrowAsync(BenchContext context, string name, int step)
    {
        var before = await context.OpenConnectionsAsync();
        context.Fleet.ResetProgress();
        var watch = Stopwatch.StartNew();
        using var progress = context.Progress(() =>
        {
            var p = context.Fleet.Progress();
            return $"{name}: {p.Open:N0} open, {p.Failed:N0} failed, {p.Pending:N0} to go, {(p.Open - before) / watch.Elapsed.TotalSeconds:N0}/s";
        });
        var grown = await context.Fleet.AllAsync<GrowResult>(WorkerProtocol.Grow,
            new GrowArgs(step, context.Settings.ConnectConcurrency, TimeoutSeconds: 60), BenchContext.LongWait);
        return (grown, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Closes idle connections down to <paramref name="total"/>.</summary>
    public static Task ShrinkAsync(BenchContext context, int total) =>
        context.Fleet.AllAsync<object>(WorkerProtocol.Shrink, new ShrinkArgs(total), TimeSpan.FromMinutes(5));
}
