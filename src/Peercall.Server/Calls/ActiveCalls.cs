using System.Collections.Concurrent;

namespace Peercall.Server.Calls;

/// <summary>Where a signal goes: the user it came from (whatever they wrote) and the connection it goes to.</summary>
public readonly record struct SignalRoute(Guid From, Guid To, string ToConnection);

/// <summary>A participant whose connection dropped, and since when.</summary>
public readonly record struct LostParticipant(Guid CallId, Guid UserId);

/// <summary>An accepted call's binding to one connection per joined participant, kept in memory so a signal is
/// relayed without touching the database. A participant whose connection dropped has none until they resume.</summary>
public sealed class ActiveCall(Guid id)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, (string? Connection, DateTime? LostAt)> _participants = [];

    public Guid Id { get; } = id;

    public void Bind(Guid userId, string? connection, DateTime? lostAt = null)
    {
        lock (_lock) _participants[userId] = (connection, connection is null ? lostAt : null);
    }

    public void Unbind(Guid userId)
    {
        lock (_lock) _participants.Remove(userId);
    }

    public bool Rebind(Guid userId, string connectionId)
    {
        lock (_lock)
        {
            if (!_participants.ContainsKey(userId)) return false;
            _participants[userId] = (connectionId, null);
            return true;
        }
    }

    /// <summary>The route of a signal from <paramref name="fromConnection"/> to <paramref name="to"/> (in a call of
    /// two, the other participant when left out), or null when either is not bound to this call.</summary>
    public SignalRoute? Route(string fromConnection, Guid? to)
    {
        lock (_lock) return SignalRouting.Route(_participants.Select(p => (p.Key, p.Value.Connection)), fromConnection, to);
    }

    public bool IsBoundTo(string connectionId)
    {
        lock (_lock) return _participants.Values.Any(p => p.Connection == connectionId);
    }

    public void MarkLost(string connectionId, DateTime at)
    {
        lock (_lock)
            foreach (var (user, bound) in _participants.ToList())
                if (bound.Connection == connectionId) _participants[user] = (null, at);
    }

    public IReadOnlyList<Guid> LostSince(DateTime cutoff)
    {
        lock (_lock) return _participants.Where(p => p.Value.LostAt <= cutoff).Select(p => p.Key).ToList();
    }
}

public static class SignalRouting
{
    /// <summary>The one rule of who may signal whom, for every store of bindings: both ends bound to the call,
    /// and the addressee named unless there is only one.</summary>
    public static SignalRoute? Route(IEnumerable<(Guid User, string? Connection)> bound, string fromConnection, Guid? to)
    {
        var participants = bound.ToList();
        var from = participants.FirstOrDefault(p => p.Connection == fromConnection);
        if (from.Connection is null) return null;
        var others = participants.Where(p => p.User != from.User).ToList();
        var target = to is { } named ? others.FirstOrDefault(p => p.User == named) : others.Count == 1 ? others[0] : default;
        return target.Connection is { } connection ? new SignalRoute(from.User, target.User, connection) : null;
    }
}

public sealed class ActiveCalls
{
    private readonly ConcurrentDictionary<Guid, ActiveCall> _calls = new();

    public ActiveCall GetOrAdd(Guid callId) => _calls.GetOrAdd(callId, id => new ActiveCall(id));
    public bool TryAdd(ActiveCall call) => _calls.TryAdd(call.Id, call);
    public void Remove(Guid callId) => _calls.TryRemove(callId, out _);
    public ActiveCall? Find(Guid callId) => _calls.GetValueOrDefault(callId);
    public IEnumerable<ActiveCall> BoundTo(string connectionId) => _calls.Values.Where(c => c.IsBoundTo(connectionId));
    public IEnumerable<ActiveCall> All => _calls.Values;
}
