using Peercall.Bench.Load;
using Peercall.Bench.Scenarios;

namespace Peercall.Bench.Cluster;

/// <summary>
/// Signal relay with the idle connections open, once with both ends of every call on the same node and once
/// with them on two different nodes, where every signal crosses Redis. The pairs are spread over all nodes; the
/// rates and sizes are those of the single-server relay scenario.
/// </summary>
public static class ClusterRelayScenario
{
    public const string SameNode = "same node", CrossNode = "cross node";

    public static async Task<List<PlacedRelayRun>> RunAsync(BenchContext context, PeercallCluster cluster)
    {
        var settings = context.Settings;
        var nodes = cluster.Nodes.Count;
        var same = Enumerable.Range(0, settings.RelayPairs).Select(i =>
            new UserPair(settings.RelayUserOffset + 2 * i, settings.RelayUserOffset + 2 * i + 1, i % nodes, i % nodes)).ToArray();
        var cross = Enumerable.Range(0, settings.RelayPairs).Select(i =>
            new UserPair(settings.CallUserOffset + 2 * i, settings.CallUserOffset + 2 * i + 1, i % nodes, (i + 1) % nodes)).ToArray();

        var runs = new List<PlacedRelayRun>();
        foreach (var (placement, pairs) in new[] { (SameNode, same), (CrossNode, cross) })
        {
            var relayed = await RelayScenario.RunPairsAsync(context, cluster.Nodes, pairs, $"Cluster, {placement},");
            runs.AddRange(relayed.Select(run => new PlacedRelayRun(placement, run)));
        }
        return runs;
    }
}
