using Peercall.Bench.Load;
using Peercall.Bench.Scenarios;
using Peercall.Bench.Servers;

namespace Peercall.Bench.Cluster;

/// <summary>Idle connections over every node (connection g on node g % nodes): the connect rate of the whole
/// cluster, and what its connections cost each node and Redis.</summary>
public static class ClusterIdleScenario
{
    public static async Task<ClusterStep> RampAsync(BenchContext context, PeercallCluster cluster, long[] baselineRssKb, int step)
    {
        var settings = context.Settings;
        var nodes = cluster.Nodes;
        var rampCpu = new CpuWindow(nodes.Select(n => n.Pid), context.Fleet.ProcessIds);
        var (grown, ramp) = await IdleScenario.GrowAsync(context, "cluster", step);
        var (rampServers, rampLoad, rampOther) = rampCpu.Percent();

        await BenchContext.SettleAsync(nodes, TimeSpan.FromSeconds(settings.SettleSeconds), TimeSpan.FromMinutes(5));
        var idleCpu = nodes.Select(n => new CpuWindow(n.Pid, [])).ToArray();
        var machine = new CpuWindow(nodes.Select(n => n.Pid), context.Fleet.ProcessIds);
        await Task.Delay(TimeSpan.FromSeconds(settings.CpuWindowSeconds));
        var (_, _, other) = machine.Percent();
        var openPerNode = await OpenPerNodeAsync(context, nodes.Count);
        var nodeSteps = nodes.Select((node, i) =>
        {
            var rss = ProcessMetrics.RssKb(node.Pid);
            return new NodeStep(node.Name, openPerNode[i], rss, openPerNode[i] == 0 ? 0 : (double)(rss - baselineRssKb[i]) / openPerNode[i],
                idleCpu[i].Percent().Server, ProcessMetrics.OpenFiles(node.Pid));
        }).ToList();
        var (redisUsed, redisRss) = await cluster.RedisMemoryAsync();
        var opened = grown.Sum(g => g.Opened);
        var errors = grown.SelectMany(g => g.Errors).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));
        var result = new ClusterStep(step, openPerNode.Sum(), grown.Sum(g => g.Failed), ramp, opened / ramp, rampServers, rampLoad,
            Math.Max(rampOther, other), nodeSteps, redisUsed, redisRss, errors);

        context.Log($"Cluster idle at {result.Open:N0}: ramp {ramp:N1} s at {result.ConnectsPerSecond:N0}/s (nodes {rampServers:N0}%, " +
                    $"load {rampLoad:N0}%, others {rampOther:N0}%), {result.Failed} failed; Redis {redisUsed / 1024.0:N0} MB used");
        foreach (var n in nodeSteps)
            context.Log($"  {n.Node}: {n.Open:N0} open, RSS {n.RssKb / 1024.0:N0} MB, {n.KbPerConnection:N1} KB/connection, " +
                        $"CPU idle {n.IdleCpuPercent:N1}%, {n.OpenFiles:N0} files");
        foreach (var (error, count) in errors) context.Log($"  failed {count}x: {error}");
        return result;
    }

    public static async Task<int[]> OpenPerNodeAsync(BenchContext context, int nodes)
    {
        var perProcess = await context.Fleet.AllAsync<int[]>(WorkerProtocol.NodesOpen, new { }, TimeSpan.FromMinutes(1));
        return Enumerable.Range(0, nodes).Select(i => perProcess.Sum(p => p[i])).ToArray();
    }
}
