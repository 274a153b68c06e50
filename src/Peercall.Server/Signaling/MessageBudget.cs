namespace Peercall.Server.Signaling;

/// <summary>
/// A token bucket for one connection's messages, refilled from the time elapsed when a message arrives. It holds
/// no timer: thousands of idle connections cost nothing until they speak. (The framework's TokenBucketRateLimiter
/// either needs a timer per bucket, or, refilled on demand, credits the time it sat full: with the default budget,
/// a flood after five quiet seconds got 400 messages through instead of 200.)
/// </summary>
public sealed class MessageBudget(int perSecond, int burst, TimeProvider time)
{
    private readonly Lock _lock = new();
    private double _tokens = burst;
    private long _refilledAt = time.GetTimestamp();

    public bool TrySpend()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + time.GetElapsedTime(_refilledAt, now).TotalSeconds * perSecond);
            _refilledAt = now;
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }
}
