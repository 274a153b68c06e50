using System.Collections.Concurrent;

namespace Peercall.Server.Calls;

/// <summary>An accepted call's binding to one connection on each side, kept in memory so a signal is relayed
/// without touching the database.</summary>
public sealed class ActiveCall(Guid id, Guid callerId, Guid calleeId, string? callerConnection, string? calleeConnection)
{
    private readonly Lock _lock = new();

    public Guid Id { get; } = id;
    public Guid CallerId { get; } = callerId;
    public Guid CalleeId { get; } = calleeId;
    public string? CallerConnection { get; private set; } = callerConnection;
    public string? CalleeConnection { get; private set; } = calleeConnection;

    /// <summary>Since when a side's connection has been gone; null while both are connected.</summary>
    public DateTime? CallerLostAt { get; private set; }
    public DateTime? CalleeLostAt { get; private set; }

    /// <summary>The connection a signal from <paramref name="connectionId"/> goes to, or null when that
    /// connection is not bound to this call.</summary>
    public string? PeerOf(string connectionId)
    {
        lock (_lock)
        {
            if (connectionId == CallerConnection) return CalleeConnection;
            if (connectionId == CalleeConnection) return CallerConnection;
            return null;
        }
    }

    public bool IsBoundTo(string connectionId)
    {
        lock (_lock) return connectionId == CallerConnection || connectionId == CalleeConnection;
    }

    public void MarkLost(string connectionId, DateTime at)
    {
        lock (_lock)
        {
            if (connectionId == CallerConnection) { CallerConnection = null; CallerLostAt = at; }
            if (connectionId == CalleeConnection) { CalleeConnection = null; CalleeLostAt = at; }
        }
    }

    public void Rebind(Guid userId, string connectionId)
    {
        lock (_lock)
        {
            if (userId == CallerId) { CallerConnection = connectionId; CallerLostAt = null; }
            else if (userId == CalleeId) { CalleeConnection = connectionId; CalleeLostAt = null; }
        }
    }

    public DateTime? LostSince()
    {
        lock (_lock)
            return (CallerLostAt, CalleeLostAt) switch
            {
                (null, null) => null,
                ({ } a, null) => a,
                (null, { } b) => b,
                ({ } a, { } b) => a < b ? a : b,
            };
    }
}

public sealed class ActiveCalls
{
    private readonly ConcurrentDictionary<Guid, ActiveCall> _calls = new();

    public void Add(ActiveCall call) => _calls[call.Id] = call;
    public void Remove(Guid callId) => _calls.TryRemove(callId, out _);
    public ActiveCall? Find(Guid callId) => _calls.GetValueOrDefault(callId);
    public IEnumerable<ActiveCall> BoundTo(string connectionId) => _calls.Values.Where(c => c.IsBoundTo(connectionId));
    public IEnumerable<ActiveCall> All => _calls.Values;
}
