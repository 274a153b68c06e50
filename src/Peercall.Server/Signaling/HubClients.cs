using Peercall.Server.Presence;
using Peercall.Server.Realtime;

namespace Peercall.Server.Signaling;

/// <summary>Sends an event, written once as a frame of the hub protocol (<see cref="HubWire.Invocation{T}"/>), to
/// connections wherever they are: on this node alone (<see cref="NodeHubClients"/>), or on any node of a cluster
/// (<see cref="RedisHubClients"/>). A connection that is gone is skipped.</summary>
public interface IHubClients
{
    Task ToConnectionsAsync(IReadOnlyCollection<string> connectionIds, byte[] frame);

    /// <summary>To every device of a user.</summary>
    Task ToUserAsync(Guid userId, byte[] frame);

    Task ToEveryoneAsync(byte[] frame);
}

public sealed class NodeHubClients(LocalConnections local, PresenceTracker presence) : IHubClients
{
    public Task ToConnectionsAsync(IReadOnlyCollection<string> connectionIds, byte[] frame) =>
        SendAsync(connectionIds.Select(local.Find), frame);

    public Task ToUserAsync(Guid userId, byte[] frame) => SendAsync(presence.ConnectionsOf(userId).Select(c => c.Session), frame);

    public Task ToEveryoneAsync(byte[] frame) => SendAsync(local.All(), frame);

    /// <summary>Started all at once and awaited together, so that one slow connection holds up no other.</summary>
    public static Task SendAsync(IEnumerable<HubSession?> sessions, byte[] frame)
    {
        List<Task>? pending = null;
        foreach (var session in sessions)
        {
            if (session is null) continue;
            var sent = session.SendAsync(frame);
            if (!sent.IsCompletedSuccessfully) (pending ??= []).Add(sent.AsTask());
        }
        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }
}
