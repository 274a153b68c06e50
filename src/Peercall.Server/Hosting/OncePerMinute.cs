namespace Peercall.Server.Hosting;

/// <summary>Lets a warning through at most once a minute, however many threads hit the same refusal at once.</summary>
public sealed class OncePerMinute(TimeProvider time)
{
    private long _lastTicks;

    public bool Due()
    {
        var now = time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastTicks);
        return now - last >= TimeSpan.TicksPerMinute && Interlocked.CompareExchange(ref _lastTicks, now, last) == last;
    }
}
