using Peercall.Cluster.Tests.Infrastructure;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using StackExchange.Redis;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Cluster.Tests.Nodes;

[Collection(ClusterCollection.Name)]
public sealed class RedisDataLossTests(ClusterFixture cluster)
{
    [Fact]
    public async Task When_redis_loses_its_data_the_nodes_register_their_connections_again_and_calls_across_them_work()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        await using var bob = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(2), "bob", alice);
        await alice.PresenceOfAsync(bob.Id, PresenceState.Online);

        await using (var admin = await ConnectionMultiplexer.ConnectAsync($"{cluster.Redis.ConnectionString},allowAdmin=true"))
            await admin.GetServers().Single().FlushAllDatabasesAsync();

        await Eventually.HoldsAsync(async () => await alice.ListedPresenceOfAsync(bob.Id) == PresenceState.Online,
            TimeSpan.FromSeconds(10), "the nodes to register their connections again");
        await Eventually.HoldsAsync(async () => await bob.ListedPresenceOfAsync(alice.Id) == PresenceState.Online,
            TimeSpan.FromSeconds(10), "node 1 to register Alice again");

        // The nodes came back under new identities: a signal for Bob now goes on node 2's new channel.
        var call = await alice.Device.PlaceCall(new PlaceCallRequest(bob.Id));
        await bob.IncomingCallAsync(call.Id);
        await bob.Device.AcceptCall(call.Id);
        await alice.Device.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 after the flush"));
        await bob.SignalAsync(call.Id, "v=0 after the flush", within: TimeSpan.FromSeconds(5));
        await bob.Device.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0 answer after the flush"));
        await alice.SignalAsync(call.Id, "v=0 answer after the flush", within: TimeSpan.FromSeconds(5));
        await alice.Device.EndCall(call.Id, CallReason.HungUp);
    }
}
