using ScottPlot;

namespace Peercall.Bench.Cluster;

/// <summary>The cluster section's charts: each node's memory against the connections it holds, and relay latency
/// by percentile for same-node and cross-node calls.</summary>
public static class ClusterCharts
{
    private static readonly Color[] NodeColors = [Color.FromHex("#1f77b4"), Color.FromHex("#2ca02c"), Color.FromHex("#ff7f0e"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b")];

    private static readonly Color SameNodeColor = Color.FromHex("#1f77b4"), CrossNodeColor = Color.FromHex("#d62728");

    public static void Draw(ClusterResults results, string folder)
    {
        Memory(results, Path.Combine(folder, "cluster-memory.png"));
        Latency(results, Path.Combine(folder, "cluster-latency.png"));
    }

    private static void Memory(ClusterResults results, string file)
    {
        var plot = new Plot();
        for (var i = 0; i < results.Plan.Nodes; i++)
        {
            var node = i;
            var steps = results.Steps.Where(s => s.Nodes.Count > node).Select(s => s.Nodes[node]).ToList();
            if (steps.Count == 0) continue;
            double[] connections = [0, .. steps.Select(n => (double)n.Open)];
            double[] megabytes = [results.Setup.BaselineRssKb[node] / 1024.0, .. steps.Select(n => n.RssKb / 1024.0)];
            var line = plot.Add.Scatter(connections, megabytes, NodeColors[node % NodeColors.Length]);
            line.LegendText = $"{steps[^1].Node} ({steps[^1].KbPerConnection:N1} KB per connection at {steps[^1].Open:N0})";
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }
        plot.Title($"Memory (RSS) of each of {results.Plan.Nodes} nodes against the connections it holds");
        plot.XLabel("Open WebSocket connections on the node");
        plot.YLabel("RSS (MB)");
        plot.Axes.SetLimitsY(0, results.Steps.SelectMany(s => s.Nodes).Select(n => n.RssKb / 1024.0).DefaultIfEmpty(100).Max() * 1.1);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(file, 900, 520);
    }

    /// <summary>Latency against percentile on a stretched axis (50, 90, 99, 99.9), so the tail is visible.</summary>
    private static void Latency(ClusterResults results, string file)
    {
        static double Stretch(double percentile) => -Math.Log10(Math.Max(1e-5, 1 - percentile / 100));
        var plot = new Plot();
        foreach (var placed in results.Relay)
        {
            var run = placed.Run;
            if (run.Curve.Percentiles.Length == 0) continue;
            var points = run.Curve.Percentiles.Zip(run.Curve.Milliseconds).Where(p => p.First <= 99.99).ToArray();
            var line = plot.Add.Scatter(points.Select(p => Stretch(p.First)).ToArray(), points.Select(p => p.Second).ToArray(),
                placed.Placement == ClusterRelayScenario.SameNode ? SameNodeColor : CrossNodeColor);
            line.LegendText = $"{placed.Placement}, {run.Rate:N0}/s (p99 {run.Latency.P99:N2} ms)";
            line.LineWidth = 2;
            line.MarkerSize = 0;
            line.LinePattern = run.Rate == results.Plan.RelayRates[0] ? LinePattern.Solid : LinePattern.Dashed;
        }
        double[] ticks = [0, 50, 90, 99, 99.9, 99.99];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(Stretch).ToArray(),
            ticks.Select(t => $"p{t}").ToArray());
        plot.Axes.SetLimitsX(0, Stretch(99.99));
        var highest = results.Relay.Select(r => r.Run.Curve.Milliseconds.Zip(r.Run.Curve.Percentiles)
            .Where(p => p.Second <= 99.99).Select(p => p.First).DefaultIfEmpty(1).Max()).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimitsY(0, highest * 1.1);
        plot.Title($"Signal relay latency across {results.Plan.Nodes} nodes with {results.Relay.FirstOrDefault()?.Run.OpenConnections ?? 0:N0} connections open");
        plot.XLabel("Percentile");
        plot.YLabel("Sender to receiver (ms)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(file, 900, 520);
    }
}
