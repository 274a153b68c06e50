using Microsoft.AspNetCore.SignalR;
using Peercall.Contracts.Contacts;

namespace Peercall.Server.Presence;

/// <summary>One open realtime connection of a user's device. <see cref="Context"/> is null for a connection held
/// by another node of a cluster.</summary>
public sealed record RealtimeConnection(string Id, Guid UserId, Guid SessionId, DateTime OpenedAt, HubCallerContext? Context);

/// <summary>
/// Who is connected on this node, on which connections, and who is in a call. Several devices count as one user:
/// a user is online while at least one connection is open. Every method returns the user's new presence when it
/// changed, so the caller knows whether to tell the watchers.
/// </summary>
public sealed class PresenceTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RealtimeConnection> _connections = new();
    private readonly Dictionary<Guid, List<RealtimeConnection>> _byUser = new();
    private readonly HashSet<Guid> _inCall = new();

    public Contracts.Contacts.Presence? Add(RealtimeConnection connection)
    {
        lock (_lock)
        {
            var before = PresenceOf(connection.UserId);
            _connections[connection.Id] = connection;
            if (!_byUser.TryGetValue(connection.UserId, out var list)) _byUser[connection.UserId] = list = [];
            list.Add(connection);
            return Changed(before, connection.UserId);
        }
    }

    public (RealtimeConnection Connection, Contracts.Contacts.Presence? Changed)? Remove(string connectionId)
    {
        lock (_lock)
        {
            if (!_connections.Remove(connectionId, out var connection)) return null;
            var before = PresenceOf(connection.UserId);
            var list = _byUser[connection.UserId];
            list.Remove(connection);
            if (list.Count == 0) _byUser.Remove(connection.UserId);
            return (connection, Changed(before, connection.UserId));
        }
    }

    public Contracts.Contacts.Presence? SetInCall(Guid userId, bool inCall)
    {
        lock (_lock)
        {
            var before = PresenceOf(userId);
            if (inCall) _inCall.Add(userId);
            else _inCall.Remove(userId);
            return Changed(before, userId);
        }
    }

    public Contracts.Contacts.Presence Of(Guid userId)
    {
        lock (_lock) return PresenceOf(userId);
    }

    public bool IsInCall(Guid userId)
    {
        lock (_lock) return _inCall.Contains(userId);
    }

    /// <summary>The presence of every user who is not offline.</summary>
    public Dictionary<Guid, Contracts.Contacts.Presence> Present()
    {
        lock (_lock) return _byUser.Keys.ToDictionary(id => id, PresenceOf);
    }

    public RealtimeConnection? Find(string connectionId)
    {
        lock (_lock) return _connections.GetValueOrDefault(connectionId);
    }

    public IReadOnlyList<RealtimeConnection> ConnectionsOf(Guid userId)
    {
        lock (_lock) return _byUser.TryGetValue(userId, out var list) ? [.. list] : [];
    }

    public IReadOnlyList<RealtimeConnection> All()
    {
        lock (_lock) return [.. _connections.Values];
    }

    /// <summary>Closes every connection opened under a sign-in session, for example after sign-out.</summary>
    public void CloseSession(Guid sessionId)
    {
        List<RealtimeConnection> closing;
        lock (_lock) closing = _connections.Values.Where(c => c.SessionId == sessionId).ToList();
        // SignalR closes it with a close message that tells the client not to reconnect: the token it would
        // reconnect with is no longer accepted.
        foreach (var connection in closing) connection.Context?.Abort();
    }

    private Contracts.Contacts.Presence PresenceOf(Guid userId) =>
        !_byUser.ContainsKey(userId) ? Contracts.Contacts.Presence.Offline
        : _inCall.Contains(userId) ? Contracts.Contacts.Presence.InCall
        : Contracts.Contacts.Presence.Online;

    private Contracts.Contacts.Presence? Changed(Contracts.Contacts.Presence before, Guid userId)
    {
        var after = PresenceOf(userId);
        return after == before ? null : after;
    }
}
