using ScottPlot;

namespace Peercall.Bench.Reporting;

/// <summary>The README's charts: server memory against idle connections, and relay latency by percentile.</summary>
public static class Charts
{
    private static readonly Color PeercallColor = Color.FromHex("#1f77b4"), PeerJsColor = Color.FromHex("#d62728"),
        EmptyHubColor = Color.FromHex("#7f7f7f");

    public static void Draw(BenchResults results, string folder)
    {
        Memory(results, Path.Combine(folder, $"memory{results.Suffix}.png"));
        Latency(results, Path.Combine(folder, $"latency{results.Suffix}.png"));
    }

    private static void Memory(BenchResults results, string file)
    {
        var plot = new Plot();
        foreach (var (server, color) in new[] { (results.Peercall, PeercallColor), (results.EmptyHub, EmptyHubColor), (results.PeerJs, PeerJsColor) })
        {
            if (server.Idle.Count == 0) continue;
            double[] connections = [0, .. server.Idle.Select(i => (double)i.Open)];
            double[] megabytes = [server.BaselineRssKb / 1024.0, .. server.Idle.Select(i => i.RssKb / 1024.0)];
            var line = plot.Add.Scatter(connections, megabytes, color);
            line.LegendText = $"{server.Name} ({server.Idle[^1].KbPerConnection:N1} KB per connection at {server.Idle[^1].Open:N0})";
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }
        plot.Title("Server memory (RSS) against idle connections");
        plot.XLabel("Open WebSocket connections");
        plot.YLabel("RSS (MB)");
        plot.Axes.SetLimitsY(0, results.Peercall.Idle.Concat(results.PeerJs.Idle).Concat(results.EmptyHub.Idle).Select(i => i.RssKb / 1024.0).DefaultIfEmpty(100).Max() * 1.1);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(file, 900, 520);
    }

    /// <summary>Latency against percentile on a stretched axis (50, 90, 99, 99.9), so the tail is visible.</summary>
    private static void Latency(BenchResults results, string file)
    {
        static double Stretch(double percentile) => -Math.Log10(Math.Max(1e-5, 1 - percentile / 100));
        var plot = new Plot();
        foreach (var (server, color) in new[] { (results.Peercall, PeercallColor), (results.PeerJs, PeerJsColor) })
        {
            foreach (var run in server.Relay)
            {
                if (run.Curve.Percentiles.Length == 0) continue;
                var points = run.Curve.Percentiles.Zip(run.Curve.Milliseconds).Where(p => p.First <= 99.99).ToArray();
                var line = plot.Add.Scatter(points.Select(p => Stretch(p.First)).ToArray(), points.Select(p => p.Second).ToArray(), color);
                line.LegendText = $"{server.Name}, {run.Rate:N0}/s (p99 {run.Latency.P99:N2} ms)";
                line.LineWidth = 2;
                line.MarkerSize = 0;
                line.LinePattern = run.Rate == results.Plan.RelayRates[0] ? LinePattern.Solid : LinePattern.Dashed;
            }
        }
        double[] ticks = [0, 50, 90, 99, 99.9, 99.99];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(Stretch).ToArray(),
            ticks.Select(t => $"p{t}").ToArray());
        plot.Axes.SetLimitsX(0, Stretch(99.99));
        var highest = results.Peercall.Relay.Concat(results.PeerJs.Relay).Select(r => r.Curve.Milliseconds.Zip(r.Curve.Percentiles)
            .Where(p => p.Second <= 99.99).Select(p => p.First).DefaultIfEmpty(1).Max()).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimitsY(0, highest * 1.1);
        plot.Title($"Signal relay latency with {results.Plan.RelayAt:N0} connections open");
        plot.XLabel("Percentile");
        plot.YLabel("Sender to receiver (ms)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(file, 900, 520);
    }
}
