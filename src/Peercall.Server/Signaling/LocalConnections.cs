using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Peercall.Server.Signaling;

/// <summary>The hub connections open on this node, kept in slices so that <see cref="SpreadKeepAlive"/> can walk a
/// few of them at a time, and found by id for what arrives from other nodes.</summary>
public sealed class LocalConnections
{
    private readonly ConcurrentDictionary<string, HubConnectionContext>[] _slices =
        [.. Enumerable.Range(0, SpreadKeepAlive.Slices).Select(_ => new ConcurrentDictionary<string, HubConnectionContext>())];

    public void Add(HubConnectionContext connection) => SliceOf(connection.ConnectionId)[connection.ConnectionId] = connection;

    public void Remove(HubConnectionContext connection) => SliceOf(connection.ConnectionId).TryRemove(connection.ConnectionId, out _);

    public HubConnectionContext? Find(string connectionId) =>
        SliceOf(connectionId).TryGetValue(connectionId, out var connection) ? connection : null;

    // Enumerated, not read through Values, which takes every lock of the dictionary and copies it.
    public IEnumerable<HubConnectionContext> Slice(long index) => _slices[index % _slices.Length].Select(entry => entry.Value);

    private ConcurrentDictionary<string, HubConnectionContext> SliceOf(string connectionId) =>
        _slices[(uint)connectionId.GetHashCode() % _slices.Length];
}
