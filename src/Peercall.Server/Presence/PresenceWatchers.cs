namespace Peercall.Server.Presence;

/// <summary>
/// Which connections of this node watch which users. A presence change goes only to the watchers of that user,
/// so it costs work in proportion to the people who show that user, not to everyone connected: a ramp-up or a
/// restart of N clients then costs N times the watchers per user, not N².
/// </summary>
public sealed class PresenceWatchers
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Guid[]> _watchedBy = new();
    private readonly Dictionary<Guid, HashSet<string>> _watchersOf = new();

    /// <summary>Replaces the users a connection watches; returns them, each once.</summary>
    public Guid[] Watch(string connectionId, IEnumerable<Guid> userIds)
    {
        var watched = userIds.Distinct().ToArray();
        lock (_lock)
        {
            Unwatch(connectionId);
            if (watched.Length == 0) return watched;
            _watchedBy[connectionId] = watched;
            foreach (var userId in watched)
            {
                if (!_watchersOf.TryGetValue(userId, out var watchers)) _watchersOf[userId] = watchers = [];
                watchers.Add(connectionId);
            }
        }
        return watched;
    }

    public void Forget(string connectionId)
    {
        lock (_lock) Unwatch(connectionId);
    }

    public string[] WatchersOf(Guid userId)
    {
        lock (_lock) return _watchersOf.TryGetValue(userId, out var watchers) ? [.. watchers] : [];
    }

    private void Unwatch(string connectionId)
    {
        if (!_watchedBy.Remove(connectionId, out var watched)) return;
        foreach (var userId in watched)
        {
            var watchers = _watchersOf[userId];
            watchers.Remove(connectionId);
            if (watchers.Count == 0) _watchersOf.Remove(userId);
        }
    }
}
