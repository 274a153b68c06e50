using Peercall.Cluster.Tests.Infrastructure;
using StackExchange.Redis;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Cluster.Tests.Nodes;

[Collection(ClusterCollection.Name)]
public sealed class RedisDataLossTests(ClusterFixture cluster)
{
    [Fact]
    public async Task When_redis_loses_its_data_the_nodes_register_their_connections_again()
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
    }
}
