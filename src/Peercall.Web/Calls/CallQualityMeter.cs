namespace Peercall.Web.Calls;

/// <summary>What the call screen shows about the connection.</summary>
public sealed record CallQuality(double? RoundTripTime, double LossFraction, bool IsPoor, bool? IsRelayed,
    string? LocalCandidateType, string? RemoteCandidateType);

/// <summary>
/// Turns cumulative getStats counters into a judgement over a sliding window: loss is measured over the last
/// <see cref="Window"/>, so a burst of loss shows up quickly and clears once it is over.
/// </summary>
public sealed class CallQualityMeter
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    public const double PoorLossFraction = 0.30;
    public const double PoorRoundTripSeconds = 1.5;

    private readonly Queue<(DateTimeOffset At, MediaStatsSample Sample)> _samples = new();

    public CallQuality Add(MediaStatsSample sample, DateTimeOffset at)
    {
        _samples.Enqueue((at, sample));
        while (_samples.Count > 1 && at - _samples.Peek().At > Window) _samples.Dequeue();

        var oldest = _samples.Peek().Sample;
        var received = sample.PacketsReceived - oldest.PacketsReceived;
        var lost = sample.PacketsLost - oldest.PacketsLost;
        var loss = received + lost > 0 ? Math.Clamp((double)lost / (received + lost), 0, 1) : 0;
        // Lost packets are only counted once later ones arrive, so a connection that carries nothing at all for
        // most of the window is poor too.
        var stalled = received == 0 && at - _samples.Peek().At >= Window * 0.8;
        var poor = loss > PoorLossFraction || sample.RoundTripTime > PoorRoundTripSeconds || stalled;
        bool? relayed = sample.LocalCandidateType is null && sample.RemoteCandidateType is null
            ? null
            : sample.LocalCandidateType == "relay" || sample.RemoteCandidateType == "relay";
        return new CallQuality(sample.RoundTripTime, loss, poor, relayed, sample.LocalCandidateType,
            sample.RemoteCandidateType);
    }

    public void Reset() => _samples.Clear();
}
