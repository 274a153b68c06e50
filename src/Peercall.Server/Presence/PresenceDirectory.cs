using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Server.Presence;

/// <summary>
/// Who is connected, on which connections, and who is in a call: on this node alone
/// (<see cref="NodePresenceDirectory"/>, the default), or across every node of a cluster
/// (<see cref="RedisPresenceDirectory"/>). Every change returns the user's new presence when it changed, and
/// only then, so that exactly one node announces each real change.
/// </summary>
public interface IPresenceDirectory
{
    Task<PresenceState?> ConnectedAsync(RealtimeConnection connection);

    /// <summary>Forgets a connection: returns it with the user's new presence if that changed, or null when the
    /// connection was not known (any more).</summary>
    Task<(RealtimeConnection Connection, PresenceState? Changed)?> DisconnectedAsync(string connectionId);

    Task<PresenceState?> SetInCallAsync(Guid userId, bool inCall);

    Task<PresenceState> PresenceOfAsync(Guid userId);

    Task<IReadOnlyList<Contracts.Contacts.UserPresence>> PresenceOfManyAsync(IReadOnlyList<Guid> userIds);

    Task<bool> IsInCallAsync(Guid userId);

    /// <summary>The presence of every user who is not offline.</summary>
    Task<IReadOnlyDictionary<Guid, PresenceState>> PresentAsync();

    /// <summary>A connection on any node; its <see cref="RealtimeConnection.Context"/> is null when it is on
    /// another node.</summary>
    Task<RealtimeConnection?> FindAsync(string connectionId);

    Task<IReadOnlyList<RealtimeConnection>> ConnectionsOfAsync(Guid userId);

    /// <summary>Closes every connection opened under a sign-in session, on every node.</summary>
    Task CloseSessionAsync(Guid sessionId);
}

/// <summary>Presence when this node is the whole server: the connections it holds are all there are.</summary>
public sealed class NodePresenceDirectory(PresenceTracker tracker) : IPresenceDirectory
{
    public Task<PresenceState?> ConnectedAsync(RealtimeConnection connection) => Task.FromResult(tracker.Add(connection));

    public Task<(RealtimeConnection Connection, PresenceState? Changed)?> DisconnectedAsync(string connectionId) =>
        Task.FromResult(tracker.Remove(connectionId));

    public Task<PresenceState?> SetInCallAsync(Guid userId, bool inCall) => Task.FromResult(tracker.SetInCall(userId, inCall));

    public Task<PresenceState> PresenceOfAsync(Guid userId) => Task.FromResult(tracker.Of(userId));

    public Task<IReadOnlyList<Contracts.Contacts.UserPresence>> PresenceOfManyAsync(IReadOnlyList<Guid> userIds) =>
        Task.FromResult<IReadOnlyList<Contracts.Contacts.UserPresence>>(
            [.. userIds.Select(id => new Contracts.Contacts.UserPresence(id, tracker.Of(id)))]);

    public Task<bool> IsInCallAsync(Guid userId) => Task.FromResult(tracker.IsInCall(userId));

    public Task<IReadOnlyDictionary<Guid, PresenceState>> PresentAsync() =>
        Task.FromResult<IReadOnlyDictionary<Guid, PresenceState>>(tracker.Present());

    public Task<RealtimeConnection?> FindAsync(string connectionId) => Task.FromResult(tracker.Find(connectionId));

    public Task<IReadOnlyList<RealtimeConnection>> ConnectionsOfAsync(Guid userId) => Task.FromResult(tracker.ConnectionsOf(userId));

    public Task CloseSessionAsync(Guid sessionId)
    {
        tracker.CloseSession(sessionId);
        return Task.CompletedTask;
    }
}
