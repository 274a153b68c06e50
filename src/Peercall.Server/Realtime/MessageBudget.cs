namespace Peercall.Server.Realtime;

/// <summary>
/// A token bucket for one connection's messages, refilled from the time elapsed when a message arrives. It holds
/// no timer, so thousands of idle connections cost nothing until they speak, and no lock: a connection's messages
/// are handled one at a time, by its own receive loop.
/// </summary>
public sealed class MessageBudget(int perSecond, int burst, TimeProvider time)
{
    private double _tokens = burst;
    private long _refilledAt = time.GetTimestamp();

    public bool TrySpend()
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(burst, _tokens + time.GetElapsedTime(_refilledAt, now).TotalSeconds * perSecond);
        _refilledAt = now;
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }
}
