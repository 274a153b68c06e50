namespace Peercall.Bench.Reporting;

/// <summary>A latency distribution in milliseconds, with nearest-rank percentiles.</summary>
public sealed record LatencySummary(int Count, double P50, double P95, double P99, double P999, double Max, double Mean)
{
    public static readonly LatencySummary Empty = new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    public static LatencySummary FromMicroseconds(IEnumerable<int> micros) => FromMilliseconds(micros.Select(m => m / 1000.0));

    public static LatencySummary FromMilliseconds(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return Empty;
        return new LatencySummary(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.95),
            Percentile(sorted, 0.99), Percentile(sorted, 0.999), sorted[^1], sorted.Average());
    }

    public static double Percentile(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>Latency at the percentiles a chart draws, from 0 to 99.99.</summary>
public sealed record LatencyCurve(double[] Percentiles, double[] Milliseconds)
{
    private static readonly double[] Points = [.. Enumerable.Range(0, 90).Select(i => i / 100.0),
        .. Enumerable.Range(0, 90).Select(i => 0.90 + i / 1000.0),
        .. Enumerable.Range(0, 9).Select(i => 0.99 + i / 1000.0),
        0.999, 0.9995, 0.9999, 1.0];

    public static LatencyCurve FromMicroseconds(IEnumerable<int> micros)
    {
        var sorted = micros.Select(m => m / 1000.0).Order().ToArray();
        if (sorted.Length == 0) return new([], []);
        return new LatencyCurve([.. Points.Select(p => p * 100)], [.. Points.Select(p => LatencySummary.Percentile(sorted, p))]);
    }
}
