using Peercall.Bench.Load;
using Peercall.Bench.Reporting;
using Peercall.Bench.Servers;

namespace Peercall.Bench.Scenarios;

/// <summary>Scenario 4: calls placed over REST at a steady rate while the idle connections stay open, timed from
/// <c>POST /api/calls</c> to the callee's IncomingCall event. Each call is cancelled once it rang.</summary>
public static class CallRequestScenario
{
    public static async Task RunAsync(BenchContext context, PeercallServer server, ServerResults results)
    {
        var settings = context.Settings;
        var pairs = Enumerable.Range(0, settings.CallPairs)
            .Select(i => new UserPair(settings.CallUserOffset + 2 * i, settings.CallUserOffset + 2 * i + 1)).ToArray();
        var open = await context.OpenConnectionsAsync();
        var caller = context.Fleet[0];
        await caller.SendAsync<object>(WorkerProtocol.CallsSetup, new CallsSetupArgs(pairs), TimeSpan.FromMinutes(5));
        await BenchContext.SettleAsync(server, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        try
        {
            var run = await caller.SendAsync<CallsRunResult>(WorkerProtocol.CallsRun,
                new CallsRunArgs(settings.CallRate, settings.CallCount, WarmupCount: 2 * settings.CallRate, TimeoutSeconds: 10), TimeSpan.FromMinutes(30));
            var result = new CallsRun(settings.CallRate, settings.CallCount, run.Placed, run.Rang,
                LatencySummary.FromMicroseconds(run.Ring), LatencySummary.FromMicroseconds(run.Post), run.Errors, open);
            results.Calls = result;
            context.Log($"Calls at {settings.CallRate}/s with {open:N0} open: POST to IncomingCall p50 {result.Ring.P50:N1} ms, " +
                        $"p95 {result.Ring.P95:N1}, p99 {result.Ring.P99:N1}, max {result.Ring.Max:N1}; POST answered p50 " +
                        $"{result.Post.P50:N1} ms, p99 {result.Post.P99:N1}; {run.Placed}/{settings.CallCount} placed, {run.Rang} rang " +
                        $"in {run.Seconds:N1} s");
            foreach (var (error, count) in run.Errors) context.Log($"  {count}x {error}");
        }
        finally
        {
            await caller.SendAsync<object>(WorkerProtocol.CallsTeardown, new { }, TimeSpan.FromMinutes(5));
        }
    }
}
