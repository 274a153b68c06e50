namespace Peercall.Server.Calls;

/// <summary>
/// The binding of each accepted call to one connection on each side, which signals follow: on this node alone
/// (<see cref="NodeCallBindings"/>, the default) or shared by every node (<see cref="RedisCallBindings"/>).
/// A side whose connection dropped is "lost" from that moment until it resumes the call on a new connection.
/// </summary>
public interface ICallBindings
{
    /// <summary>True when bindings outlive this node's process, as they do in Redis.</summary>
    bool OutliveThisNode { get; }

    Task BindAsync(Guid callId, Guid callerId, Guid calleeId, string? callerConnection, string? calleeConnection);

    Task UnbindAsync(Guid callId);

    /// <summary>The connection a signal from <paramref name="fromConnection"/> goes to, or null when that
    /// connection is not bound to this accepted call. On the relay's path: answered from memory when it can be.</summary>
    ValueTask<string?> PeerOfAsync(Guid callId, string fromConnection);

    /// <summary>Binds a party's side to its new connection; false when the call is not bound (not accepted).</summary>
    Task<bool> RebindAsync(Guid callId, Guid userId, string connectionId);

    /// <summary>The accepted calls bound to a connection.</summary>
    Task<IReadOnlyList<Guid>> BoundToAsync(string connectionId);

    /// <summary>Marks the side bound to <paramref name="connectionId"/> as lost since <paramref name="at"/>.</summary>
    Task MarkLostAsync(Guid callId, string connectionId, DateTime at);

    /// <summary>Accepted calls with a side lost at or before <paramref name="cutoff"/>.</summary>
    Task<IReadOnlyList<Guid>> LostSinceAsync(DateTime cutoff);

    /// <summary>After a restart: binds an accepted call whose binding is gone with both sides lost since
    /// <paramref name="at"/>, so its parties can resume it; leaves a binding that still exists as it is.</summary>
    Task RestoreAsync(Guid callId, Guid callerId, Guid calleeId, string? callerConnection, string? calleeConnection, DateTime at);
}

/// <summary>Bindings when this node is the whole server, in its memory (<see cref="ActiveCalls"/>).</summary>
public sealed class NodeCallBindings(ActiveCalls active) : ICallBindings
{
    public bool OutliveThisNode => false;

    public Task BindAsync(Guid callId, Guid callerId, Guid calleeId, string? callerConnection, string? calleeConnection)
    {
        active.Add(new ActiveCall(callId, callerId, calleeId, callerConnection, calleeConnection));
        return Task.CompletedTask;
    }

    public Task UnbindAsync(Guid callId)
    {
        active.Remove(callId);
        return Task.CompletedTask;
    }

    public ValueTask<string?> PeerOfAsync(Guid callId, string fromConnection) =>
        ValueTask.FromResult(active.Find(callId)?.PeerOf(fromConnection));

    public Task<bool> RebindAsync(Guid callId, Guid userId, string connectionId)
    {
        if (active.Find(callId) is not { } bound) return Task.FromResult(false);
        bound.Rebind(userId, connectionId);
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<Guid>> BoundToAsync(string connectionId) =>
        Task.FromResult<IReadOnlyList<Guid>>(active.BoundTo(connectionId).Select(c => c.Id).ToList());

    public Task MarkLostAsync(Guid callId, string connectionId, DateTime at)
    {
        active.Find(callId)?.MarkLost(connectionId, at);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Guid>> LostSinceAsync(DateTime cutoff) =>
        Task.FromResult<IReadOnlyList<Guid>>(active.All.Where(c => c.LostSince() <= cutoff).Select(c => c.Id).ToList());

    public Task RestoreAsync(Guid callId, Guid callerId, Guid calleeId, string? callerConnection, string? calleeConnection,
        DateTime at)
    {
        var bound = new ActiveCall(callId, callerId, calleeId, callerConnection, calleeConnection);
        bound.MarkLost(callerConnection!, at);
        bound.MarkLost(calleeConnection!, at);
        active.Add(bound);
        return Task.CompletedTask;
    }
}
