using System.Diagnostics;
using Peercall.Contracts.Calls;
using Peercall.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Cluster.Tests.Nodes;

[Collection(ClusterCollection.Name)]
public sealed class NodeCrashTests(ClusterFixture cluster, ITestOutputHelper output)
{
    /// <summary>The target: a killed node's users are shown offline everywhere within 30 s.</summary>
    private static readonly TimeSpan OfflineWithin = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task When_node_2_is_killed_everyone_sees_Bob_offline_and_he_comes_back_through_node_3()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        await using var carol = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(3), "carol", alice);
        var node2 = await cluster.RunningNodeAsync(2);
        await using var bob = await Person.JoinAsync(cluster, node2, "bob", alice, carol);
        await alice.PresenceOfAsync(bob.Id, PresenceState.Online);
        await carol.PresenceOfAsync(bob.Id, PresenceState.Online);

        var killedAt = Stopwatch.StartNew();
        await node2.KillAsync();

        await alice.PresenceOfAsync(bob.Id, PresenceState.Offline, within: OfflineWithin);
        var aliceSaw = killedAt.Elapsed;
        await carol.PresenceOfAsync(bob.Id, PresenceState.Offline, within: OfflineWithin - aliceSaw);
        var carolSaw = killedAt.Elapsed;
        output.WriteLine($"After kill -9 of node 2, Alice (node 1) saw Bob offline after {aliceSaw.TotalSeconds:0.0} s, " +
                         $"Carol (node 3) after {carolSaw.TotalSeconds:0.0} s.");
        await File.AppendAllTextAsync(Repository.Artifacts("offline-after-kill.txt"),
            $"{DateTime.UtcNow:O} alice {aliceSaw.TotalSeconds:0.00} s, carol {carolSaw.TotalSeconds:0.00} s{Environment.NewLine}");
        Assert.Equal(PresenceState.Offline, await alice.ListedPresenceOfAsync(bob.Id));
        Assert.Single(alice.PresenceSeen, c => c.UserId == bob.Id && c.Presence == PresenceState.Offline);

        await bob.ConnectToAsync(await cluster.RunningNodeAsync(3));
        await alice.PresenceOfAsync(bob.Id, PresenceState.Online);
        Assert.Equal(PresenceState.Online, await carol.ListedPresenceOfAsync(bob.Id));

        var call = await alice.Device.PlaceCall(new PlaceCallRequest(bob.Id));
        Assert.Equal(CallState.Ringing, call.State);
        await bob.IncomingCallAsync(call.Id);
        await bob.Device.AcceptCall(call.Id);
        await alice.CallStateAsync(call.Id, CallState.Accepted);
        await alice.Device.EndCall(call.Id, CallReason.HungUp);

        await cluster.RunningNodeAsync(2);
    }

    [Fact]
    public async Task An_accepted_call_whose_party_was_on_a_killed_node_ends_after_the_grace_period_unless_resumed()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        var node2 = await cluster.RunningNodeAsync(2);
        await using var bob = await Person.JoinAsync(cluster, node2, "bob", alice);
        await using var carol = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(3), "carol", alice, bob);
        await using var dave = await Person.JoinAsync(cluster, node2, "dave", alice, bob, carol);

        var resumed = await alice.Device.PlaceCall(new PlaceCallRequest(bob.Id));
        await bob.IncomingCallAsync(resumed.Id);
        await bob.Device.AcceptCall(resumed.Id);
        var abandoned = await carol.Device.PlaceCall(new PlaceCallRequest(dave.Id));
        await dave.IncomingCallAsync(abandoned.Id);
        await dave.Device.AcceptCall(abandoned.Id);

        await node2.KillAsync();
        await alice.PresenceOfAsync(bob.Id, PresenceState.Offline, within: OfflineWithin);
        await bob.ConnectToAsync(await cluster.RunningNodeAsync(3));
        await bob.Device.ResumeCall(resumed.Id);
        await alice.Device.SendSignal(new Contracts.Signaling.Signal(resumed.Id, Contracts.Signaling.SignalKind.Offer, "v=0 after the move"));
        await bob.SignalAsync(resumed.Id, "v=0 after the move");

        var ended = await carol.CallStateAsync(abandoned.Id, CallState.Ended, within: TimeSpan.FromSeconds(30));
        Assert.Equal(CallReason.ConnectionLost, ended.Reason);
        Assert.Equal(CallState.Accepted, (await alice.Api.GetCallAsync(resumed.Id)).State);
        await alice.Device.EndCall(resumed.Id, CallReason.HungUp);

        await cluster.RunningNodeAsync(2);
    }
}
