using System.Collections.Concurrent;
using Peercall.Server.Realtime;

namespace Peercall.Server.Signaling;

/// <summary>The realtime connections open on this node: by id, in slices so that <see cref="SpreadKeepAlive"/> can
/// walk a few of them at a time, and by user, for the events every device of a user receives.</summary>
public sealed class LocalConnections
{
    private readonly ConcurrentDictionary<string, HubSession>[] _slices =
        [.. Enumerable.Range(0, SpreadKeepAlive.Slices).Select(_ => new ConcurrentDictionary<string, HubSession>())];
    private readonly Lock _usersLock = new();
    private readonly Dictionary<Guid, HubSession[]> _byUser = new();

    public void Add(HubSession session)
    {
        SliceOf(session.Id)[session.Id] = session;
        lock (_usersLock)
            _byUser[session.UserId] = _byUser.TryGetValue(session.UserId, out var devices) ? [.. devices, session] : [session];
    }

    public void Remove(HubSession session)
    {
        if (!SliceOf(session.Id).TryRemove(session.Id, out _)) return;
        lock (_usersLock)
        {
            if (!_byUser.TryGetValue(session.UserId, out var devices)) return;
            var rest = Array.FindAll(devices, d => d != session);
            if (rest.Length == 0) _byUser.Remove(session.UserId);
            else _byUser[session.UserId] = rest;
        }
    }

    public HubSession? Find(string connectionId) =>
        SliceOf(connectionId).TryGetValue(connectionId, out var session) ? session : null;

    public HubSession[] OfUser(Guid userId)
    {
        lock (_usersLock) return _byUser.GetValueOrDefault(userId) ?? [];
    }

    public IEnumerable<HubSession> All() => _slices.SelectMany(slice => slice.Select(entry => entry.Value));

    // Enumerated, not read through Values, which takes every lock of the dictionary and copies it.
    public IEnumerable<HubSession> Slice(long index) => _slices[index % _slices.Length].Select(entry => entry.Value);

    private ConcurrentDictionary<string, HubSession> SliceOf(string connectionId) =>
        _slices[(uint)connectionId.GetHashCode() % _slices.Length];
}
