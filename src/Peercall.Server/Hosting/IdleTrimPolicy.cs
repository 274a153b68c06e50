namespace Peercall.Server.Hosting;

/// <summary>
/// Decides when the heap is worth trimming: once allocation has stayed below <see cref="QuietBytesPerSecond"/> and
/// the messages handled below <see cref="QuietMessagesPerSecond"/> for the quiet time, the first time after start-up
/// (which leaves the garbage of compiling and of building the data model behind), and then whenever the committed
/// memory grew by <see cref="GrowthBeforeTrim"/> since. Thousands of idle connections allocate a few hundred KB a
/// second (keep-alives) and send no messages; a spell of calls allocates far more. A relay of 1,000 signals a
/// second spread over three nodes allocates less than the idle keep-alives on each, so only its messages show it:
/// a trim then paused all three at once for 100 to 130 ms (bench/README.md). A lone call placed at the moment of a
/// trim waits out the pause (0.2 s at 19,000 connections).
/// </summary>
public sealed class IdleTrimPolicy(TimeSpan quietFor)
{
    public const long QuietBytesPerSecond = 1024 * 1024;
    public const long GrowthBeforeTrim = 32 * 1024 * 1024;

    /// <summary>Placing and answering a call is about a dozen messages over a few seconds; a relay, hundreds a second.</summary>
    public const long QuietMessagesPerSecond = 10;

    private long? _committedAfterTrim;
    private (TimeSpan At, long Allocated, long Messages)? _previous;
    private TimeSpan? _quietSince;

    /// <summary>Takes one sample (time since start, bytes allocated and messages handled since start, bytes
    /// committed); true when the heap should be trimmed now.</summary>
    public bool ShouldTrim(TimeSpan now, long allocatedBytes, long messages, long committedBytes)
    {
        var previous = _previous;
        _previous = (now, allocatedBytes, messages);
        if (previous is not { } p || now <= p.At) return false;
        var seconds = (now - p.At).TotalSeconds;
        if ((allocatedBytes - p.Allocated) / seconds >= QuietBytesPerSecond || (messages - p.Messages) / seconds >= QuietMessagesPerSecond)
        {
            _quietSince = null;
            return false;
        }
        _quietSince ??= p.At;
        return now - _quietSince >= quietFor && (_committedAfterTrim is not { } trimmed || committedBytes - trimmed >= GrowthBeforeTrim);
    }

    /// <summary>Records what a trim left committed: the heap grows from there before the next one.</summary>
    public void Trimmed(long committedBytes)
    {
        _committedAfterTrim = committedBytes;
        _quietSince = null;
    }
}
