namespace Peercall.Server.Calls;

/// <summary>
/// The binding of each accepted call to one connection per joined participant, which signals follow: on this
/// node alone (<see cref="NodeCallBindings"/>, the default) or shared by every node (<see cref="RedisCallBindings"/>).
/// A participant whose connection dropped is "lost" from that moment until they resume the call on a new one.
/// </summary>
public interface ICallBindings
{
    /// <summary>True when bindings outlive this node's process, as they do in Redis.</summary>
    bool OutliveThisNode { get; }

    /// <summary>Binds a joined participant (again) to a connection.</summary>
    Task BindAsync(Guid callId, Guid userId, string? connection);

    /// <summary>A participant left the call.</summary>
    Task UnbindAsync(Guid callId, Guid userId);

    /// <summary>The call is over.</summary>
    Task UnbindAsync(Guid callId);

    /// <summary>Where a signal from <paramref name="fromConnection"/> to <paramref name="to"/> goes, or null when
    /// the two are not both bound to this accepted call (<see cref="SignalRouting"/>). On the relay's path: answered
    /// from memory when it can be.</summary>
    ValueTask<SignalRoute?> RouteAsync(Guid callId, string fromConnection, Guid? to);

    /// <summary>Binds a participant to their new connection; false when they are not bound to this call.</summary>
    Task<bool> RebindAsync(Guid callId, Guid userId, string connectionId);

    /// <summary>The accepted calls bound to a connection.</summary>
    Task<IReadOnlyList<Guid>> BoundToAsync(string connectionId);

    /// <summary>Marks the participant bound to <paramref name="connectionId"/> as lost since <paramref name="at"/>.</summary>
    Task MarkLostAsync(Guid callId, string connectionId, DateTime at);

    /// <summary>Participants lost at or before <paramref name="cutoff"/>.</summary>
    Task<IReadOnlyList<LostParticipant>> LostSinceAsync(DateTime cutoff);

    /// <summary>After a restart: binds an accepted call whose binding is gone with every participant lost since
    /// <paramref name="at"/>, so they can resume it; leaves a binding that still exists as it is.</summary>
    Task RestoreAsync(Guid callId, IReadOnlyList<Guid> userIds, DateTime at);
}

/// <summary>Bindings when this node is the whole server, in its memory (<see cref="ActiveCalls"/>).</summary>
public sealed class NodeCallBindings(ActiveCalls active) : ICallBindings
{
    public bool OutliveThisNode => false;

    public Task BindAsync(Guid callId, Guid userId, string? connection)
    {
        active.GetOrAdd(callId).Bind(userId, connection);
        return Task.CompletedTask;
    }

    public Task UnbindAsync(Guid callId, Guid userId)
    {
        active.Find(callId)?.Unbind(userId);
        return Task.CompletedTask;
    }

    public Task UnbindAsync(Guid callId)
    {
        active.Remove(callId);
        return Task.CompletedTask;
    }

    public ValueTask<SignalRoute?> RouteAsync(Guid callId, string fromConnection, Guid? to) =>
        ValueTask.FromResult(active.Find(callId)?.Route(fromConnection, to));

    public Task<bool> RebindAsync(Guid callId, Guid userId, string connectionId) =>
        Task.FromResult(active.Find(callId)?.Rebind(userId, connectionId) == true);

    public Task<IReadOnlyList<Guid>> BoundToAsync(string connectionId) =>
        Task.FromResult<IReadOnlyList<Guid>>(active.BoundTo(connectionId).Select(c => c.Id).ToList());

    public Task MarkLostAsync(Guid callId, string connectionId, DateTime at)
    {
        active.Find(callId)?.MarkLost(connectionId, at);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LostParticipant>> LostSinceAsync(DateTime cutoff) =>
        Task.FromResult<IReadOnlyList<LostParticipant>>(
            active.All.SelectMany(c => c.LostSince(cutoff).Select(user => new LostParticipant(c.Id, user))).ToList());

    public Task RestoreAsync(Guid callId, IReadOnlyList<Guid> userIds, DateTime at)
    {
        var restored = new ActiveCall(callId);
        foreach (var user in userIds) restored.Bind(user, connection: null, lostAt: at);
        active.TryAdd(restored);
        return Task.CompletedTask;
    }
}
