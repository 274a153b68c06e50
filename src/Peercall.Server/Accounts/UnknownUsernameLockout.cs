using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Peercall.Server.Accounts;

/// <summary>
/// Locks usernames that do not exist exactly as Identity locks real accounts, so that the lockout answer does not
/// tell anyone which usernames are taken. Kept in memory and pruned: a guesser gains nothing from a restart
/// except the same answers again.
/// </summary>
public sealed class UnknownUsernameLockout(IOptions<AuthOptions> options, TimeProvider time)
{
    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<string, Attempts> _attempts = new(StringComparer.OrdinalIgnoreCase);

    public DateTimeOffset? LockedUntil(string username) =>
        _attempts.TryGetValue(username, out var attempts) && attempts.LockedUntil > time.GetUtcNow()
            ? attempts.LockedUntil
            : null;

    /// <summary>Counts a failure; returns when the name is now locked until, or null.</summary>
    public DateTimeOffset? Fail(string username)
    {
        var now = time.GetUtcNow();
        var limits = options.Value;
        if (_attempts.Count > PruneAbove) Prune(now - limits.LockoutDuration);
        var after = _attempts.AddOrUpdate(username,
            _ => new Attempts(1, null, now),
            (_, previous) => previous.LockedUntil <= now
                ? new Attempts(1, null, now)
                : previous with { Failures = previous.Failures + 1, LastFailure = now });
        if (after.Failures < limits.MaxFailedSignIns) return null;
        var locked = new Attempts(0, now + limits.LockoutDuration, now);
        _attempts[username] = locked;
        return locked.LockedUntil;
    }

    private void Prune(DateTimeOffset before)
    {
        foreach (var (name, attempts) in _attempts)
            if (attempts.LastFailure < before && !(attempts.LockedUntil > time.GetUtcNow()))
                _attempts.TryRemove(name, out _);
    }

    private sealed record Attempts(int Failures, DateTimeOffset? LockedUntil, DateTimeOffset LastFailure);
}
