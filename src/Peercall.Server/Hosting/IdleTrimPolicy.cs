namespace Peercall.Server.Hosting;

/// <summary>
/// Decides when the heap is worth trimming: once allocation has stayed below <see cref="QuietBytesPerSecond"/> for
/// the quiet time, the first time after start-up (which leaves the garbage of compiling and of building the data
/// model behind), and then whenever the committed memory grew by <see cref="GrowthBeforeTrim"/> since. Thousands of
/// idle connections allocate a few hundred KB a second (keep-alives), a relay or a spell of calls far more, so a
/// trim does not start while they go on; a lone call placed at that moment waits out the pause (0.2 s at 19,000).
/// </summary>
public sealed class IdleTrimPolicy(TimeSpan quietFor)
{
    public const long QuietBytesPerSecond = 1024 * 1024;
    public const long GrowthBeforeTrim = 32 * 1024 * 1024;

    private long? _committedAfterTrim;
    private (TimeSpan At, long Allocated)? _previous;
    private TimeSpan? _quietSince;

    /// <summary>Takes one sample (time since start, bytes allocated since start, bytes committed); true when the
    /// heap should be trimmed now.</summary>
    public bool ShouldTrim(TimeSpan now, long allocatedBytes, long committedBytes)
    {
        var previous = _previous;
        _previous = (now, allocatedBytes);
        if (previous is not { } p || now <= p.At) return false;
        var rate = (allocatedBytes - p.Allocated) / (now - p.At).TotalSeconds;
        if (rate >= QuietBytesPerSecond)
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
