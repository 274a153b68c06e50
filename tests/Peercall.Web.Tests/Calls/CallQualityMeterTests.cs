using Peercall.Web.Calls;

namespace Peercall.Web.Tests.Calls;

public sealed class CallQualityMeterTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static MediaStatsSample Sample(long received, long lost, double? rtt = 0.002, string type = "host") =>
        new(received, lost, rtt, type, type);

    [Fact]
    public void A_clean_direct_connection_is_good()
    {
        var meter = new CallQualityMeter();
        CallQuality quality = null!;
        for (var s = 0; s <= 5; s++) quality = meter.Add(Sample(50 * s, 0), Start.AddSeconds(s));

        Assert.False(quality.IsPoor);
        Assert.Equal(0, quality.LossFraction);
        Assert.False(quality.IsRelayed);
    }

    [Fact]
    public void More_than_thirty_percent_loss_over_the_window_is_poor_and_clears_once_the_burst_is_over()
    {
        var meter = new CallQualityMeter();
        meter.Add(Sample(0, 0), Start);
        // Two seconds in which 40 of every 100 packets are lost.
        meter.Add(Sample(60, 40), Start.AddSeconds(1));
        var during = meter.Add(Sample(120, 80), Start.AddSeconds(2));
        Assert.True(during.IsPoor);
        Assert.Equal(0.4, during.LossFraction, 3);

        CallQuality after = during;
        for (var s = 3; s <= 9; s++) after = meter.Add(Sample(120 + 50 * (s - 2), 80), Start.AddSeconds(s));
        Assert.False(after.IsPoor);
        Assert.Equal(0, after.LossFraction);
    }

    [Fact]
    public void Thirty_percent_loss_exactly_is_not_yet_poor()
    {
        var meter = new CallQualityMeter();
        meter.Add(Sample(0, 0), Start);
        var quality = meter.Add(Sample(70, 30), Start.AddSeconds(1));
        Assert.False(quality.IsPoor);
    }

    [Fact]
    public void A_round_trip_over_one_and_a_half_seconds_is_poor()
    {
        var meter = new CallQualityMeter();
        meter.Add(Sample(0, 0, rtt: 1.4), Start);
        Assert.False(meter.Add(Sample(50, 0, rtt: 1.5), Start.AddSeconds(1)).IsPoor);
        Assert.True(meter.Add(Sample(100, 0, rtt: 1.6), Start.AddSeconds(2)).IsPoor);
    }

    [Fact]
    public void Nothing_arriving_for_most_of_the_window_is_poor()
    {
        var meter = new CallQualityMeter();
        meter.Add(Sample(500, 0), Start);
        Assert.False(meter.Add(Sample(500, 0), Start.AddSeconds(2)).IsPoor);
        Assert.True(meter.Add(Sample(500, 0), Start.AddSeconds(4)).IsPoor);
    }

    [Fact]
    public void A_relay_candidate_on_either_end_means_relayed()
    {
        var meter = new CallQualityMeter();
        var quality = meter.Add(new MediaStatsSample(0, 0, 0.01, "host", "relay"), Start);
        Assert.True(quality.IsRelayed);
        Assert.Null(new CallQualityMeter().Add(new MediaStatsSample(0, 0, null, null, null), Start).IsRelayed);
    }
}
