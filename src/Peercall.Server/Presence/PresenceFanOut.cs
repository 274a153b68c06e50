using Microsoft.AspNetCore.SignalR;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Signaling;

namespace Peercall.Server.Presence;

/// <summary>Carries a presence change to every connection that watches the user: on this node alone
/// (<see cref="NodePresenceFanOut"/>), or on every node of a cluster (<see cref="RedisPresenceFanOut"/>).</summary>
public interface IPresenceFanOut
{
    Task PublishAsync(PresenceChange change);
}

/// <summary>Delivers a change to the watchers connected to this node.</summary>
public sealed class NodePresenceFanOut(PresenceWatchers watchers, IHubContext<SignalingHub, ISignalingClient> hub)
    : IPresenceFanOut
{
    public Task PublishAsync(PresenceChange change)
    {
        // Started all at once and awaited together, so that one slow watcher holds up no other.
        List<Task>? pending = null;
        foreach (var connectionId in watchers.WatchersOf(change.UserId))
        {
            var sent = hub.Clients.Client(connectionId).PresenceChanged(change);
            if (!sent.IsCompletedSuccessfully) (pending ??= []).Add(sent);
        }
        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }
}
