using Peercall.Bench.Reporting;

namespace Peercall.Bench.Cluster;

/// <summary>The targets of issue 6, checked against a cluster run's figures.</summary>
public static class ClusterVerdict
{
    /// <summary>A node refuses realtime connections beyond this (its open-file limit less a reserve).</summary>
    public const int NodeCeiling = 19_500;

    public static IReadOnlyList<TargetCheck> Targets(BenchSettings settings, IReadOnlyList<ClusterStep> steps,
        IReadOnlyList<PlacedRelayRun> relay, NodeKillRun? kill, Dictionary<string, int> closes)
    {
        var checks = new List<TargetCheck>();
        if (steps.LastOrDefault() is { } top)
        {
            var busiest = top.Nodes.MaxBy(n => n.Open)!;
            checks.Add(new($"{settings.Steps[^1]:N0} connections held across {settings.Nodes} nodes with no errors",
                $"{top.Open:N0} open, {top.Failed:N0} failed, {closes.Values.Sum():N0} closed by a node",
                top.Open >= settings.Steps[^1] && top.Failed == 0 && closes.Count == 0));
            checks.Add(new($"Every node below its ceiling of {NodeCeiling:N0} connections",
                $"at most {busiest.Open:N0} on {busiest.Node} ({busiest.OpenFiles:N0} open files)", busiest.Open < NodeCeiling));
        }
        foreach (var rate in settings.RelayRates.Take(1))
        {
            var same = relay.FirstOrDefault(r => r.Placement == ClusterRelayScenario.SameNode && r.Run.Rate == rate)?.Run;
            var cross = relay.FirstOrDefault(r => r.Placement == ClusterRelayScenario.CrossNode && r.Run.Rate == rate)?.Run;
            if (same is null || cross is null) continue;
            var extra = cross.Latency.P99 - same.Latency.P99;
            checks.Add(new($"Cross-node relay p99 within 2 ms of same-node at {rate:N0} signals/s",
                $"{cross.Latency.P99:N2} ms against {same.Latency.P99:N2} ms ({extra:+0.00;-0.00} ms)", extra <= 2));
        }
        if (kill is not null)
        {
            checks.Add(new("A killed node's users shown offline everywhere within 30 s",
                $"{kill.OfflineEverywhereSeconds:N1} s (the last watcher had the event after {kill.LastWatcherSeconds:N1} s)",
                kill.OfflineEverywhereSeconds <= 30 && kill.LastWatcherSeconds <= 30));
            checks.Add(new("Meanwhile the other nodes' users stay online",
                $"{kill.SurvivorsWronglyOffline:N0} of {kill.SurvivingUsers:N0} shown offline", kill.SurvivorsWronglyOffline == 0));
        }
        return checks;
    }
}
