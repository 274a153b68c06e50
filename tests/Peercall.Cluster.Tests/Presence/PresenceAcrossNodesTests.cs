using Peercall.Cluster.Tests.Infrastructure;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Cluster.Tests.Presence;

/// <summary>Alice on node 1, Bob on node 2 and Carol on node 3 see one another as if there were one server.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PresenceAcrossNodesTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Users_on_three_nodes_see_each_other_come_online_and_go_offline_live()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        await using var bob = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(2), "bob", alice);
        await alice.PresenceOfAsync(bob.Id, PresenceState.Online, within: TimeSpan.FromSeconds(1));
        await using var carol = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(3), "carol", alice, bob);
        await alice.PresenceOfAsync(carol.Id, PresenceState.Online, within: TimeSpan.FromSeconds(1));
        await bob.PresenceOfAsync(carol.Id, PresenceState.Online, within: TimeSpan.FromSeconds(1));

        foreach (var (viewer, others) in new[] { (alice, new[] { bob, carol }), (bob, [alice, carol]), (carol, [alice, bob]) })
            foreach (var other in others)
                Assert.Equal(PresenceState.Online, await viewer.ListedPresenceOfAsync(other.Id));

        await carol.Device.StopAsync();

        await alice.PresenceOfAsync(carol.Id, PresenceState.Offline, within: TimeSpan.FromSeconds(1));
        await bob.PresenceOfAsync(carol.Id, PresenceState.Offline, within: TimeSpan.FromSeconds(1));
        Assert.Equal(PresenceState.Offline, await alice.ListedPresenceOfAsync(carol.Id));
        Assert.NotNull((await bob.Api.GetContactsAsync(carol.Profile.Username)).Items.Single().LastSeenAt);
    }

    [Fact]
    public async Task A_user_with_devices_on_two_nodes_is_announced_once_and_stays_online_while_one_is_left()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        await using var bob = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(2), "bob", alice);
        await alice.PresenceOfAsync(bob.Id, PresenceState.Online);
        await using var bobsLaptop = await bob.ConnectAnotherDeviceAsync(await cluster.RunningNodeAsync(3));

        await bob.Device.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(PresenceState.Online, await alice.ListedPresenceOfAsync(bob.Id));
        await bobsLaptop.StopAsync();
        await alice.PresenceOfAsync(bob.Id, PresenceState.Offline);

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal([PresenceState.Online, PresenceState.Offline],
            alice.PresenceSeen.Where(c => c.UserId == bob.Id).Select(c => c.Presence));
    }

    [Fact]
    public async Task Signing_out_on_one_node_closes_the_sessions_connection_on_another()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        await using var onNode2 = await alice.ConnectAnotherDeviceAsync(await cluster.RunningNodeAsync(2));
        var closed = new TaskCompletionSource();
        onNode2.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        await alice.Api.LogoutAsync();

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
