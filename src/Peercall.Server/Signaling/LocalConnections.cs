using System.Collections.Concurrent;
using Peercall.Server.Realtime;

namespace Peercall.Server.Signaling;

/// <summary>The realtime connections open on this node, by id, in slices so that <see cref="SpreadKeepAlive"/> can
/// walk a few of them at a time. (Which of them belong to a user, <see cref="Presence.PresenceTracker"/> knows.)</summary>
public sealed class LocalConnections
{
    private readonly ConcurrentDictionary<string, HubSession>[] _slices =
        [.. Enumerable.Range(0, SpreadKeepAlive.Slices).Select(_ => new ConcurrentDictionary<string, HubSession>())];
    public void Add(HubSession session) => SliceOf(session.Id)[session.Id] = session;

    public void Remove(HubSession session) => SliceOf(session.Id).TryRemove(session.Id, out _);

    public HubSession? Find(string connectionId) =>
        SliceOf(connectionId).TryGetValue(connectionId, out var session) ? session : null;

    public IEnumerable<HubSession> All() => _slices.SelectMany(slice => slice.Select(entry => entry.Value));

    // Enumerated, not read through Values, which takes every lock of the dictionary and copies it.
    public IEnumerable<HubSession> Slice(long index) => _slices[index % _slices.Length].Select(entry => entry.Value);

    private ConcurrentDictionary<string, HubSession> SliceOf(string connectionId) =>
        _slices[(uint)connectionId.GetHashCode() % _slices.Length];
}
