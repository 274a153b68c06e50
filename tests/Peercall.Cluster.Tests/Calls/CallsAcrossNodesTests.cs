using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Cluster.Tests.Infrastructure;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Cluster.Tests.Calls;

[Collection(ClusterCollection.Name)]
public sealed class CallsAcrossNodesTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Alice_on_node_1_calls_Bob_on_node_2_and_their_signals_are_relayed_both_ways()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        await using var bob = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(2), "bob", alice);
        await using var carol = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(3), "carol", alice, bob);

        var call = await alice.Device.PlaceCall(new PlaceCallRequest(bob.Id));
        Assert.Equal(CallState.Ringing, call.State);
        await bob.IncomingCallAsync(call.Id, within: TimeSpan.FromSeconds(1));
        var accepted = await bob.Device.AcceptCall(call.Id);
        Assert.Equal(CallState.Accepted, accepted.State);
        await alice.CallStateAsync(call.Id, CallState.Accepted, within: TimeSpan.FromSeconds(1));
        await carol.PresenceOfAsync(alice.Id, PresenceState.InCall, within: TimeSpan.FromSeconds(1));
        await carol.PresenceOfAsync(bob.Id, PresenceState.InCall, within: TimeSpan.FromSeconds(1));

        await alice.Device.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 offer from node 1"));
        await bob.SignalAsync(call.Id, "v=0 offer from node 1", within: TimeSpan.FromSeconds(1));
        await bob.Device.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0 answer from node 2"));
        await alice.SignalAsync(call.Id, "v=0 answer from node 2", within: TimeSpan.FromSeconds(1));
        // Candidates go out as a browser sends them, one after the other without waiting; they must arrive in order.
        await Task.WhenAll(Enumerable.Range(0, 100).SelectMany(i => new[]
        {
            alice.Device.SendSignal(new Signal(call.Id, SignalKind.Candidate, $"candidate:{i} from alice")),
            bob.Device.SendSignal(new Signal(call.Id, SignalKind.Candidate, $"candidate:{i} from bob")),
        }));
        await bob.SignalAsync(call.Id, "candidate:99 from alice");
        await alice.SignalAsync(call.Id, "candidate:99 from bob");
        Assert.Equal(["v=0 offer from node 1", .. Enumerable.Range(0, 100).Select(i => $"candidate:{i} from alice")],
            bob.Signals.Select(s => s.Payload));
        Assert.Equal(["v=0 answer from node 2", .. Enumerable.Range(0, 100).Select(i => $"candidate:{i} from bob")],
            alice.Signals.Select(s => s.Payload));

        var refused = await Assert.ThrowsAnyAsync<Exception>(() =>
            carol.Device.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 from an outsider on node 3")));
        Assert.Contains(ProblemCodes.SignalRefused, refused.Message);

        await bob.Device.EndCall(call.Id, CallReason.HungUp);
        await alice.CallStateAsync(call.Id, CallState.Ended);
        await carol.PresenceOfAsync(alice.Id, PresenceState.Online, within: TimeSpan.FromSeconds(1));
        Assert.Equal(PresenceState.Online, await carol.ListedPresenceOfAsync(alice.Id));
    }

    [Fact]
    public async Task A_call_rings_every_device_of_the_callee_on_every_node_and_the_first_accept_wins()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        await using var bob = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(2), "bob", alice);
        await using var bobsLaptop = await bob.ConnectAnotherDeviceAsync(await cluster.RunningNodeAsync(3));
        var laptopRang = new TaskCompletionSource();
        bobsLaptop.IncomingCall += _ =>
        {
            laptopRang.TrySetResult();
            return Task.CompletedTask;
        };

        var call = await alice.Device.PlaceCall(new PlaceCallRequest(bob.Id));
        await bob.IncomingCallAsync(call.Id);
        await laptopRang.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await bobsLaptop.AcceptCall(call.Id);

        var onThePhone = await bob.CallStateAsync(call.Id, CallState.Accepted);
        Assert.Equal(CallReason.AnsweredElsewhere, onThePhone.Reason);
        var lateAccept = await Assert.ThrowsAnyAsync<Exception>(() => bob.Device.AcceptCall(call.Id));
        Assert.Contains(ProblemCodes.IllegalTransition, lateAccept.Message);

        var reached = new TaskCompletionSource<Signal>();
        bobsLaptop.SignalReceived += s =>
        {
            reached.TrySetResult(s);
            return Task.CompletedTask;
        };
        await alice.Device.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 to the laptop"));
        Assert.Equal("v=0 to the laptop", (await reached.Task.WaitAsync(TimeSpan.FromSeconds(5))).Payload);
        Assert.Empty(bob.Signals);
        await alice.Device.EndCall(call.Id, CallReason.HungUp);
    }

    [Fact]
    public async Task When_two_users_on_different_nodes_call_each_other_at_once_exactly_one_call_survives()
    {
        for (var round = 0; round < 5; round++)
        {
            await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
            await using var bob = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(2), "bob", alice);

            var placed = await Task.WhenAll(
                alice.Device.PlaceCall(new PlaceCallRequest(bob.Id)),
                bob.Device.PlaceCall(new PlaceCallRequest(alice.Id)));

            var survivor = alice.Id.CompareTo(bob.Id) < 0 ? placed[0] : placed[1];
            var other = survivor == placed[0] ? placed[1] : placed[0];
            Assert.Equal(CallState.Ringing, (await alice.Api.GetCallAsync(survivor.Id)).State);
            var cancelled = await alice.Api.GetCallAsync(other.Id);
            Assert.Equal(CallState.Cancelled, cancelled.State);
            Assert.Equal(CallReason.Glare, cancelled.Reason);
            await (survivor.Caller.Id == alice.Id ? alice : bob).Device.CancelCall(survivor.Id);
        }
    }

    [Fact]
    public async Task A_second_outgoing_call_is_refused_even_when_placed_through_another_node()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        await using var bob = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(2), "bob", alice);
        await using var carol = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(3), "carol", alice, bob);
        await using var alicesLaptop = await alice.ConnectAnotherDeviceAsync(await cluster.RunningNodeAsync(3));

        var outcomes = await Task.WhenAll(
            Outcome(alice.Device.PlaceCall(new PlaceCallRequest(bob.Id))),
            Outcome(alicesLaptop.PlaceCall(new PlaceCallRequest(carol.Id))));

        Assert.Single(outcomes, o => o == "placed");
        Assert.Single(outcomes, o => o.Contains(ProblemCodes.AlreadyCalling));

        static async Task<string> Outcome(Task<Call> placing)
        {
            try
            {
                var call = await placing;
                return call.State == CallState.Ringing ? "placed" : call.State.ToString();
            }
            catch (Exception e)
            {
                return e.Message;
            }
        }
    }
}
