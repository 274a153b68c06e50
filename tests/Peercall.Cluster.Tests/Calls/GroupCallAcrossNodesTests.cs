using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Cluster.Tests.Infrastructure;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Cluster.Tests.Calls;

[Collection(ClusterCollection.Name)]
public sealed class GroupCallAcrossNodesTests(ClusterFixture cluster)
{
    private static readonly TimeSpan WithinASecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Three_people_on_three_nodes_share_one_call_and_their_addressed_signals_cross_the_nodes()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        await using var bob = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(2), "bob", alice);
        await using var carol = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(3), "carol", alice, bob);
        var call = await alice.Device.PlaceCall(new PlaceCallRequest(bob.Id));
        await bob.IncomingCallAsync(call.Id, within: WithinASecond);
        await bob.Device.AcceptCall(call.Id);
        await alice.CallStateAsync(call.Id, CallState.Accepted, within: WithinASecond);

        // Bob, on node 2, rings Carol, on node 3, into the call Alice placed on node 1.
        var invited = await bob.Device.InviteToCall(call.Id, carol.Id);
        Assert.Equal(ParticipantState.Ringing, StateOf(invited, carol.Id));
        await carol.IncomingCallAsync(call.Id, within: WithinASecond);
        await carol.Device.AcceptCall(call.Id);
        foreach (var person in new[] { alice, bob, carol })
            await JoinedAsync(person, call.Id, carol.Id);
        await alice.PresenceOfAsync(carol.Id, PresenceState.InCall, within: WithinASecond);

        // Each names someone on another node and claims to be the third: the server says who really sent it.
        await alice.Device.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 alice to carol", To: carol.Id, From: bob.Id));
        await carol.Device.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0 carol to bob", To: bob.Id, From: alice.Id));
        await bob.Device.SendSignal(new Signal(call.Id, SignalKind.Candidate, "candidate:1 bob to alice", To: alice.Id, From: carol.Id));

        Assert.Equal((carol.Id, alice.Id), FromTo(await carol.SignalAsync(call.Id, "v=0 alice to carol", within: WithinASecond)));
        Assert.Equal((bob.Id, carol.Id), FromTo(await bob.SignalAsync(call.Id, "v=0 carol to bob", within: WithinASecond)));
        Assert.Equal((alice.Id, bob.Id), FromTo(await alice.SignalAsync(call.Id, "candidate:1 bob to alice", within: WithinASecond)));
        var unaddressed = await Assert.ThrowsAnyAsync<Exception>(() =>
            carol.Device.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 to whom?")));
        Assert.Contains(ProblemCodes.SignalRefused, unaddressed.Message);
        foreach (var person in new[] { alice, bob, carol }) Assert.Single(person.Signals);

        // Alice leaves from node 1; Bob and Carol go on across nodes 2 and 3, now without naming each other.
        await alice.Device.EndCall(call.Id, CallReason.HungUp);
        var goneOn = await Eventually.FindAsync(carol.CallStates, s => s.Call.Id == call.Id && StateOf(s.Call, alice.Id) == ParticipantState.Left,
            WithinASecond, "Carol to see Alice leave");
        Assert.Equal(CallState.Accepted, goneOn.Call.State);
        await bob.PresenceOfAsync(alice.Id, PresenceState.Online, within: WithinASecond);
        var toAlice = await Assert.ThrowsAnyAsync<Exception>(() =>
            carol.Device.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 to someone gone", To: alice.Id)));
        Assert.Contains(ProblemCodes.SignalRefused, toAlice.Message);
        await bob.Device.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 just the two of us"));
        Assert.Equal((carol.Id, bob.Id), FromTo(await carol.SignalAsync(call.Id, "v=0 just the two of us", within: WithinASecond)));

        await carol.Device.EndCall(call.Id, CallReason.HungUp);
        var ended = await bob.CallStateAsync(call.Id, CallState.Ended, within: WithinASecond);
        Assert.All(ended.Call.Participants, p => Assert.Equal(ParticipantState.Left, p.State));
    }

    private static ParticipantState? StateOf(Call call, Guid userId) =>
        call.Participants.SingleOrDefault(p => p.Party.Id == userId)?.State;

    private static Task<CallStateChange> JoinedAsync(Person person, Guid callId, Guid userId) =>
        Eventually.FindAsync(person.CallStates, s => s.Call.Id == callId && StateOf(s.Call, userId) == ParticipantState.Joined,
            WithinASecond, $"{person.Profile.Username} to see {userId} join call {callId}");

    private static (Guid? To, Guid? From) FromTo(Signal signal) => (signal.To, signal.From);
}
