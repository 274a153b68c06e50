using System.Net;
using Peercall.Client;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Server.Tests.Infrastructure;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Server.Tests.Calls;

/// <summary>Calls of more than two: joined participants ring others in, each invitee rings, joins, declines or is
/// missed on their own, signals go to the participant they name, and the call lasts while two are joined.</summary>
public sealed class GroupCallTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    private static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_participant_rings_a_third_person_into_an_accepted_call_and_everyone_hears_them_join()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol", devices: 2);
        var call = await TwoInACallAsync(a, b);
        await server.AdvanceAsync(TimeSpan.FromSeconds(1));

        var invited = await b.Phone.Connection.InviteToCall(call.Id, c.Id);

        Assert.Equal(CallState.Accepted, invited.State);
        Assert.Equal([a.Id, b.Id, c.Id], invited.Participants.Select(p => p.Party.Id));
        Assert.Equal(ParticipantState.Ringing, StateOf(invited, c.Id));
        foreach (var device in c.Devices)
        {
            var ringing = await TestDevice.NextAsync(device.Incoming, x => x.Id == call.Id);
            Assert.Equal(invited, ringing);
        }
        await ParticipantAsync(a.Phone, call.Id, c.Id, ParticipantState.Ringing);
        await ParticipantAsync(b.Phone, call.Id, c.Id, ParticipantState.Ringing);
        Assert.True(await TestDevice.NothingAsync(a.Phone.Incoming));
        Assert.True(await TestDevice.NothingAsync(b.Phone.Incoming));

        var joined = await c.Devices[1].Connection.AcceptCall(call.Id);

        Assert.Equal(CallState.Accepted, joined.State);
        foreach (var device in new[] { a.Phone, b.Phone, c.Devices[1] })
        {
            var change = await ParticipantAsync(device, call.Id, c.Id, ParticipantState.Joined);
            Assert.Equal(CallState.Accepted, change.Call.State);
            Assert.All(change.Call.Participants, p => Assert.Equal(ParticipantState.Joined, p.State));
        }
        var stored = await a.Api.GetCallAsync(call.Id);
        Assert.Equal(joined, stored);
        Assert.Equal(3, stored.Participants.Count(p => p.State == ParticipantState.Joined && p.JoinedAt is not null));
    }

    [Fact]
    public async Task Addressed_signals_reach_only_the_named_participant_marked_by_the_server_with_who_sent_them()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol");
        var call = await ThreeInACallAsync(a, b, c);

        // Each sender claims to be someone else: the server says who really sent it.
        await a.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 alice to carol", To: c.Id, From: b.Id));
        await c.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0 carol to bob", To: b.Id, From: a.Id));
        await b.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Candidate, "candidate:1 bob to alice", To: a.Id, From: c.Id));

        Assert.Equal(new Signal(call.Id, SignalKind.Offer, "v=0 alice to carol", c.Id, a.Id), await c.Phone.SignalAsync());
        Assert.Equal(new Signal(call.Id, SignalKind.Answer, "v=0 carol to bob", b.Id, c.Id), await b.Phone.SignalAsync());
        Assert.Equal(new Signal(call.Id, SignalKind.Candidate, "candidate:1 bob to alice", a.Id, b.Id), await a.Phone.SignalAsync());
        foreach (var device in new[] { a.Phone, b.Phone, c.Phone }) Assert.True(await TestDevice.NothingAsync(device.Signals));
    }

    [Fact]
    public async Task An_unaddressed_signal_in_a_call_of_three_is_refused_and_reaches_nobody()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol");
        var call = await ThreeInACallAsync(a, b, c);

        var refused = await Refusals.HubAsync(() => a.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 to whom?")),
            ProblemCodes.SignalRefused);

        Assert.Contains("(to)", refused.Detail);
        Assert.True(await TestDevice.NothingAsync(b.Phone.Signals));
        Assert.True(await TestDevice.NothingAsync(c.Phone.Signals));
    }

    [Fact]
    public async Task A_stranger_cannot_signal_into_a_call_and_nobody_can_signal_someone_ringing_or_gone()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol");
        await using var d = await JoinAsync("dave");
        await using var stranger = await JoinAsync("stranger");
        var call = await ThreeInACallAsync(a, b, c);

        await Refusals.HubAsync(() => stranger.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 intruder", To: a.Id)),
            ProblemCodes.SignalRefused);

        await a.Phone.Connection.InviteToCall(call.Id, d.Id);
        await TestDevice.NextAsync(d.Phone.Incoming, x => x.Id == call.Id);
        await Refusals.HubAsync(() => a.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 too early", To: d.Id)),
            ProblemCodes.SignalRefused);
        await Refusals.HubAsync(() => d.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 not in yet", To: a.Id)),
            ProblemCodes.SignalRefused);

        await c.Phone.Connection.EndCall(call.Id, CallReason.HungUp);
        await ParticipantAsync(b.Phone, call.Id, c.Id, ParticipantState.Left);
        await Refusals.HubAsync(() => b.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 too late", To: c.Id)),
            ProblemCodes.SignalRefused);
        await Refusals.HubAsync(() => c.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 after leaving", To: b.Id)),
            ProblemCodes.SignalRefused);

        foreach (var device in new[] { a.Phone, b.Phone, c.Phone, d.Phone }) Assert.True(await TestDevice.NothingAsync(device.Signals));
        // The two still in may now leave the addressee out, as in any call of two.
        await a.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 just us"));
        Assert.Equal((b.Id, a.Id), await FromToAsync(b.Phone, "v=0 just us"));
    }

    [Fact]
    public async Task Anyone_may_leave_the_call_goes_on_while_two_remain_and_ends_with_the_last_one_leaving_too()
    {
        var watcher = await server.SignUpAsync("watcher");
        await using var watching = await watcher.ConnectAsync();
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol");
        await watching.WatchAsync(a.User, b.User, c.User);
        var call = await ThreeInACallAsync(a, b, c);
        foreach (var member in new[] { a, b, c }) await watching.PresenceAsync(member.Id, PresenceState.InCall);

        var afterBob = await b.Api.EndCallAsync(call.Id);

        Assert.Equal(CallState.Accepted, afterBob.State);
        Assert.Equal((ParticipantState.Left, CallReason.HungUp), ParticipantOf(afterBob, b.Id));
        foreach (var device in new[] { a.Phone, b.Phone, c.Phone })
            Assert.Equal(CallState.Accepted, (await ParticipantAsync(device, call.Id, b.Id, ParticipantState.Left)).Call.State);
        await watching.PresenceAsync(b.Id, PresenceState.Online);
        Assert.Equal(PresenceState.Online, await PresenceSeenByAsync(watcher, b.User));
        Assert.Equal(PresenceState.InCall, await PresenceSeenByAsync(watcher, a.User));
        Assert.Equal(PresenceState.InCall, await PresenceSeenByAsync(watcher, c.User));
        await c.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 still talking", To: a.Id));
        Assert.Equal((a.Id, c.Id), await FromToAsync(a.Phone, "v=0 still talking"));

        var afterAlice = await a.Phone.Connection.EndCall(call.Id, CallReason.HungUp);

        Assert.Equal((CallState.Ended, CallReason.HungUp), (afterAlice.State, afterAlice.Reason));
        Assert.All(afterAlice.Participants, p => Assert.Equal(ParticipantState.Left, p.State));
        Assert.Equal((ParticipantState.Left, CallReason.HungUp), ParticipantOf(afterAlice, c.Id));
        Assert.NotNull(afterAlice.EndedAt);
        await a.Phone.StateAsync(call.Id, CallState.Ended);
        await c.Phone.StateAsync(call.Id, CallState.Ended);
        Assert.True(await TestDevice.NothingAsync(b.Phone.States, s => s.Call.Id == call.Id), "Bob had left already.");
        await OnlineAgainAsync(watching, a.Id, c.Id);
        Assert.Equal(PresenceState.Online, await PresenceSeenByAsync(watcher, c.User));
        await Refusals.HubAsync(() => c.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0", To: a.Id)),
            ProblemCodes.SignalRefused);
    }

    [Fact]
    public async Task A_call_placed_to_several_rings_them_all_and_is_accepted_when_one_answers_though_another_declined()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol");

        var call = await a.Phone.Connection.PlaceCall(new PlaceCallRequest(b.Id, AlsoInvite: [c.Id]));

        Assert.Equal(CallState.Ringing, call.State);
        Assert.Equal(b.Id, call.Callee.Id);
        Assert.Equal([ParticipantState.Joined, ParticipantState.Ringing, ParticipantState.Ringing],
            new[] { a.Id, b.Id, c.Id }.Select(id => StateOf(call, id)));
        Assert.Equal(call, await TestDevice.NextAsync(b.Phone.Incoming, x => x.Id == call.Id));
        Assert.Equal(call, await TestDevice.NextAsync(c.Phone.Incoming, x => x.Id == call.Id));

        var declined = await b.Api.DeclineCallAsync(call.Id);
        Assert.Equal(CallState.Ringing, declined.State);
        Assert.Equal((ParticipantState.Declined, CallReason.Declined), ParticipantOf(declined, b.Id));
        await ParticipantAsync(a.Phone, call.Id, b.Id, ParticipantState.Declined);
        await ParticipantAsync(c.Phone, call.Id, b.Id, ParticipantState.Declined);

        var accepted = await c.Phone.Connection.AcceptCall(call.Id);

        Assert.Equal((CallState.Accepted, CallReason.Answered), (accepted.State, accepted.Reason));
        await a.Phone.StateAsync(call.Id, CallState.Accepted);
        await ParticipantAsync(b.Phone, call.Id, b.Id, ParticipantState.Declined);
        Assert.True(await TestDevice.NothingAsync(b.Phone.States, s => s.Call.Id == call.Id), "Bob declined: he is out of it.");
        await c.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0 carol answers"));
        Assert.Equal((a.Id, c.Id), await FromToAsync(a.Phone, "v=0 carol answers"));
    }

    [Fact]
    public async Task A_call_placed_to_several_is_declined_when_every_one_of_them_declines()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol");
        var call = await a.Api.PlaceCallAsync(new PlaceCallRequest(b.Id, AlsoInvite: [c.Id]));
        await b.Phone.IncomingAsync();
        await c.Phone.IncomingAsync();

        Assert.Equal(CallState.Ringing, (await c.Phone.Connection.DeclineCall(call.Id)).State);
        await ParticipantAsync(a.Phone, call.Id, c.Id, ParticipantState.Declined);
        var declined = await b.Phone.Connection.DeclineCall(call.Id);

        Assert.Equal((CallState.Declined, CallReason.Declined), (declined.State, declined.Reason));
        Assert.Equal(ParticipantState.Left, StateOf(declined, a.Id));
        Assert.Equal(CallReason.Declined, (await a.Phone.StateAsync(call.Id, CallState.Declined)).Reason);
        await b.Phone.StateAsync(call.Id, CallState.Declined);
        Assert.True(await TestDevice.NothingAsync(c.Phone.States, s => s.Call.Id == call.Id && s.Call.State == CallState.Declined),
            "Carol had declined already.");
        Assert.Equal(0, (await b.Api.GetMissedCallsAsync()).UnseenCount);
    }

    [Fact]
    public async Task Each_invitee_rings_for_their_own_45_seconds()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol");
        var call = await a.Api.PlaceCallAsync(new PlaceCallRequest(b.Id));
        await b.Phone.IncomingAsync();
        await server.AdvanceAsync(TimeSpan.FromSeconds(20));
        await a.Api.InviteToCallAsync(call.Id, c.Id);
        await c.Phone.IncomingAsync();

        await server.AdvanceAsync(RingTimeout - TimeSpan.FromSeconds(20) + TimeSpan.FromSeconds(2));

        var bobMissed = await ParticipantAsync(a.Phone, call.Id, b.Id, ParticipantState.Missed);
        Assert.Equal(CallState.Ringing, bobMissed.Call.State);
        Assert.Equal(CallReason.NoAnswer, ParticipantOf(bobMissed.Call, b.Id).Reason);
        Assert.Equal(ParticipantState.Ringing, StateOf(bobMissed.Call, c.Id));
        Assert.Equal(ParticipantState.Ringing, StateOf(await c.Api.GetCallAsync(call.Id), c.Id));

        await server.AdvanceAsync(TimeSpan.FromSeconds(20));

        var missed = await a.Phone.StateAsync(call.Id, CallState.Missed);
        Assert.Equal(CallReason.NoAnswer, missed.Reason);
        Assert.Equal((ParticipantState.Missed, CallReason.NoAnswer), ParticipantOf(missed.Call, c.Id));
        await c.Phone.StateAsync(call.Id, CallState.Missed);
        Assert.Equal(1, (await b.Api.GetMissedCallsAsync()).UnseenCount);
        Assert.Equal(1, (await c.Api.GetMissedCallsAsync()).UnseenCount);
        await Refusals.ApiAsync(() => c.Api.AcceptCallAsync(call.Id), HttpStatusCode.Conflict, ProblemCodes.IllegalTransition);
    }

    [Fact]
    public async Task Invitees_who_decline_or_miss_find_the_call_in_their_history_with_everyone_in_it()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol");
        await using var d = await JoinAsync("dave");
        var call = await a.Api.PlaceCallAsync(new PlaceCallRequest(b.Id, AlsoInvite: [c.Id, d.Id]));
        await b.Api.DeclineCallAsync(call.Id);
        await d.Api.AcceptCallAsync(call.Id);
        await server.AdvanceAsync(RingTimeout + TimeSpan.FromSeconds(2));
        await ParticipantAsync(a.Phone, call.Id, c.Id, ParticipantState.Missed);
        await d.Api.EndCallAsync(call.Id);
        var ended = await a.Phone.StateAsync(call.Id, CallState.Ended);

        var everyone = new[] { a.Id, b.Id, c.Id, d.Id };
        var states = new[] { ParticipantState.Left, ParticipantState.Declined, ParticipantState.Missed, ParticipantState.Left };
        foreach (var member in new[] { a, b, c, d })
        {
            var entry = Assert.Single((await member.Api.GetCallHistoryAsync()).Items);
            Assert.Equal(call.Id, entry.CallId);
            Assert.Equal(CallState.Ended, entry.State);
            Assert.Equal(ended.Call.Participants, entry.Participants);
            Assert.Equal(everyone.Order(), entry.Participants.Select(p => p.Party.Id).Order());
            Assert.Equal(states, everyone.Select(id => entry.Participants.Single(p => p.Party.Id == id).State));
            Assert.Equal(member == a ? CallDirection.Outgoing : CallDirection.Incoming, entry.Direction);
            Assert.Equal(member == a ? b.Id : a.Id, entry.OtherParty.Id);
            Assert.Equal(member != c, entry.Seen);
        }
        Assert.Equal(CallReason.NoAnswer, ParticipantOf(ended.Call, c.Id).Reason);
        Assert.Equal(1, (await c.Api.GetMissedCallsAsync()).UnseenCount);
        Assert.Equal(0, (await b.Api.GetMissedCallsAsync()).UnseenCount);
        Assert.Equal(0, (await d.Api.GetMissedCallsAsync()).UnseenCount);

        await c.Api.MarkMissedCallsSeenAsync();
        Assert.Equal(0, (await c.Api.GetMissedCallsAsync()).UnseenCount);
        Assert.True(Assert.Single((await c.Api.GetCallHistoryAsync()).Items).Seen);
    }

    [Fact]
    public async Task Two_participants_ringing_in_the_same_person_at_once_ring_them_once()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol", devices: 2);
        var call = await TwoInACallAsync(a, b);

        var invites = await Task.WhenAll(
            a.Api.InviteToCallAsync(call.Id, c.Id),
            b.Phone.Connection.InviteToCall(call.Id, c.Id));

        Assert.All(invites, i => Assert.Equal(ParticipantState.Ringing, StateOf(i, c.Id)));
        foreach (var device in c.Devices)
        {
            await TestDevice.NextAsync(device.Incoming, x => x.Id == call.Id);
            Assert.True(await TestDevice.NothingAsync(device.Incoming, x => x.Id == call.Id));
        }
        var stored = await a.Api.GetCallAsync(call.Id);
        Assert.Single(stored.Participants, p => p.Party.Id == c.Id);
        Assert.Equal(3, stored.Participants.Count);
        Assert.Equal(CallState.Accepted, (await c.Phone.Connection.AcceptCall(call.Id)).State);
    }

    [Fact]
    public async Task Someone_rung_into_two_calls_rings_for_both_and_once_in_one_cannot_answer_the_other()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var d = await JoinAsync("dave");
        await using var e = await JoinAsync("erin");
        await using var c = await JoinAsync("carol");
        var first = await TwoInACallAsync(a, b);
        var second = await TwoInACallAsync(d, e);

        await Task.WhenAll(a.Api.InviteToCallAsync(first.Id, c.Id), e.Api.InviteToCallAsync(second.Id, c.Id));

        var rung = new[] { await c.Phone.IncomingAsync(), await c.Phone.IncomingAsync() };
        Assert.Equal(new[] { first.Id, second.Id }.Order(), rung.Select(x => x.Id).Order());
        await c.Phone.Connection.AcceptCall(second.Id);
        await ParticipantAsync(d.Phone, second.Id, c.Id, ParticipantState.Joined);

        await Refusals.HubAsync(() => c.Phone.Connection.AcceptCall(first.Id), ProblemCodes.AlreadyInCall);
        await Refusals.ApiAsync(() => c.Api.AcceptCallAsync(first.Id), HttpStatusCode.Conflict, ProblemCodes.AlreadyInCall);
        Assert.Equal(ParticipantState.Ringing, StateOf(await a.Api.GetCallAsync(first.Id), c.Id));
        var declined = await c.Phone.Connection.DeclineCall(first.Id);
        Assert.Equal((CallState.Accepted, ParticipantState.Declined), (declined.State, StateOf(declined, c.Id)));
        Assert.Equal(ParticipantState.Joined, StateOf(await c.Api.GetCallAsync(second.Id), c.Id));
    }

    [Fact]
    public async Task The_last_two_leaving_at_the_same_moment_end_the_call_once()
    {
        for (var round = 0; round < 5; round++)
        {
            var watcher = await server.SignUpAsync("watcher");
            await using var watching = await watcher.ConnectAsync();
            await using var a = await JoinAsync("alice");
            await using var b = await JoinAsync("bob");
            await using var c = await JoinAsync("carol");
            await watching.WatchAsync(a.User, b.User);
            var call = await ThreeInACallAsync(a, b, c);
            await watching.PresenceAsync(a.Id, PresenceState.InCall);
            await watching.PresenceAsync(b.Id, PresenceState.InCall);
            await c.Api.EndCallAsync(call.Id);
            await ParticipantAsync(c.Phone, call.Id, c.Id, ParticipantState.Left);
            await ParticipantAsync(a.Phone, call.Id, c.Id, ParticipantState.Left);
            await ParticipantAsync(b.Phone, call.Id, c.Id, ParticipantState.Left);

            var left = await Task.WhenAll(
                LeavingAsync(() => a.Api.EndCallAsync(call.Id)),
                LeavingAsync(() => b.Phone.Connection.EndCall(call.Id, CallReason.HungUp)));

            Assert.Contains(left, l => l is not null);
            Assert.All(left.OfType<Call>(), l => Assert.Equal(CallState.Ended, l.State));
            foreach (var device in new[] { a.Phone, b.Phone })
            {
                await device.StateAsync(call.Id, CallState.Ended);
                Assert.True(await TestDevice.NothingAsync(device.States, s => s.Call.Id == call.Id), $"Round {round}: one Ended event only.");
            }
            Assert.True(await TestDevice.NothingAsync(c.Phone.States, s => s.Call.Id == call.Id));
            var stored = await a.Api.GetCallAsync(call.Id);
            Assert.Equal((CallState.Ended, CallReason.HungUp), (stored.State, stored.Reason));
            Assert.All(stored.Participants, p => Assert.Equal(ParticipantState.Left, p.State));
            await OnlineAgainAsync(watching, a.Id, b.Id);
            Assert.Equal(PresenceState.Online, await PresenceSeenByAsync(watcher, a.User));
            Assert.Equal(PresenceState.Online, await PresenceSeenByAsync(watcher, b.User));
        }
    }

    [Fact]
    public async Task The_caller_leaving_before_anyone_answered_cancels_the_call_and_stops_every_ring()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob", devices: 2);
        await using var c = await JoinAsync("carol");
        var call = await a.Phone.Connection.PlaceCall(new PlaceCallRequest(b.Id, AlsoInvite: [c.Id]));
        foreach (var device in b.Devices.Append(c.Phone)) await TestDevice.NextAsync(device.Incoming, x => x.Id == call.Id);

        var cancelled = await a.Phone.Connection.EndCall(call.Id, CallReason.HungUp);

        Assert.Equal((CallState.Cancelled, CallReason.Cancelled), (cancelled.State, cancelled.Reason));
        Assert.Equal((ParticipantState.Left, CallReason.Cancelled), ParticipantOf(cancelled, a.Id));
        Assert.Equal((ParticipantState.Missed, CallReason.Cancelled), ParticipantOf(cancelled, b.Id));
        Assert.Equal((ParticipantState.Missed, CallReason.Cancelled), ParticipantOf(cancelled, c.Id));
        foreach (var device in b.Devices.Append(c.Phone).Append(a.Phone))
            Assert.Equal(cancelled, (await device.StateAsync(call.Id, CallState.Cancelled)).Call);
        // A ring its caller stopped is not a missed call to be told about.
        Assert.Equal(0, (await b.Api.GetMissedCallsAsync()).UnseenCount);
        Assert.Equal(0, (await c.Api.GetMissedCallsAsync()).UnseenCount);
        await Refusals.ApiAsync(() => c.Api.AcceptCallAsync(call.Id), HttpStatusCode.Conflict, ProblemCodes.IllegalTransition);
    }

    [Fact]
    public async Task Calling_someone_who_is_adding_you_to_their_call_in_progress_finds_them_busy_and_their_ring_goes_on()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol");
        var call = await TwoInACallAsync(a, b);

        var (invited, callback) = await BothAsync(
            a.Phone.Connection.InviteToCall(call.Id, c.Id),
            c.Phone.Connection.PlaceCall(new PlaceCallRequest(a.Id)));

        Assert.Equal(ParticipantState.Ringing, StateOf(invited, c.Id));
        Assert.Equal((CallState.Busy, CallReason.CalleeBusy), (callback.State, callback.Reason));
        Assert.True(await TestDevice.NothingAsync(a.Phone.Incoming, x => x.Id == callback.Id));
        await TestDevice.NextAsync(c.Phone.Incoming, x => x.Id == call.Id);
        Assert.Equal(CallState.Accepted, (await c.Phone.Connection.AcceptCall(call.Id)).State);
        await ParticipantAsync(a.Phone, call.Id, c.Id, ParticipantState.Joined);
    }

    [Fact]
    public async Task Calling_back_the_caller_of_a_group_call_that_rings_you_is_cancelled_with_glare_and_the_group_call_rings_on()
    {
        var callerHadTheSmallerId = new HashSet<bool>();
        for (var round = 0; round < 2; round++)
        {
            // Ids grow with the time of sign-up: the caller has the smaller id in one round, the larger in the other.
            await using var first = await JoinAsync("first");
            await using var second = await JoinAsync("second");
            await using var b = await JoinAsync("bob");
            var (a, c) = round == 0 ? (first, second) : (second, first);
            callerHadTheSmallerId.Add(a.Id.CompareTo(c.Id) < 0);
            var group = await a.Phone.Connection.PlaceCall(new PlaceCallRequest(b.Id, AlsoInvite: [c.Id]));
            await TestDevice.NextAsync(c.Phone.Incoming, x => x.Id == group.Id);

            var callback = await c.Phone.Connection.PlaceCall(new PlaceCallRequest(a.Id));

            Assert.Equal((CallState.Cancelled, CallReason.Glare), (callback.State, callback.Reason));
            Assert.True(await TestDevice.NothingAsync(a.Phone.Incoming, x => x.Id == callback.Id));
            var stillRinging = await a.Api.GetCallAsync(group.Id);
            Assert.Equal((CallState.Ringing, CallReason.None), (stillRinging.State, stillRinging.Reason));
            Assert.Equal([ParticipantState.Joined, ParticipantState.Ringing, ParticipantState.Ringing],
                new[] { a.Id, b.Id, c.Id }.Select(id => StateOf(stillRinging, id)));
            Assert.True(await TestDevice.NothingAsync(b.Phone.States, s => s.Call.Id == group.Id));
            Assert.Equal(CallState.Accepted, (await c.Phone.Connection.AcceptCall(group.Id)).State);
            await a.Phone.StateAsync(group.Id, CallState.Accepted);
            await b.Phone.Connection.AcceptCall(group.Id);
            await ParticipantAsync(c.Phone, group.Id, b.Id, ParticipantState.Joined);
        }
        Assert.Equal(2, callerHadTheSmallerId.Count);
    }

    [Fact]
    public async Task The_mesh_limit_refuses_one_more_with_call_full_and_changes_nothing()
    {
        await using var small = new PeercallServer(new() { ["Peercall:Calls:MeshMaxParticipants"] = "3" });
        await using var a = await JoinAsync("alice", on: small);
        await using var b = await JoinAsync("bob", on: small);
        await using var c = await JoinAsync("carol", on: small);
        await using var d = await JoinAsync("dave", on: small);

        var tooMany = await Refusals.ApiAsync(() => a.Api.PlaceCallAsync(new PlaceCallRequest(b.Id, AlsoInvite: [c.Id, d.Id])),
            HttpStatusCode.Conflict, ProblemCodes.CallFull);
        Assert.Contains("SFU", tooMany.Problem.Detail);
        Assert.Empty((await a.Api.GetCallHistoryAsync()).Items);
        Assert.True(await TestDevice.NothingAsync(b.Phone.Incoming));

        var call = await TwoInACallAsync(a, b);
        await a.Api.InviteToCallAsync(call.Id, c.Id);
        await c.Phone.IncomingAsync();
        await ParticipantAsync(a.Phone, call.Id, c.Id, ParticipantState.Ringing);
        var before = await a.Api.GetCallAsync(call.Id);

        var full = await Refusals.ApiAsync(() => b.Api.InviteToCallAsync(call.Id, d.Id), HttpStatusCode.Conflict, ProblemCodes.CallFull);
        Assert.Contains("SFU", full.Problem.Detail);
        Assert.Contains("3", full.Problem.Detail);
        await Refusals.HubAsync(() => a.Phone.Connection.InviteToCall(call.Id, d.Id), ProblemCodes.CallFull);

        Assert.Equal(before, await a.Api.GetCallAsync(call.Id));
        Assert.True(await TestDevice.NothingAsync(d.Phone.Incoming));
        Assert.Empty((await d.Api.GetCallHistoryAsync()).Items);
        Assert.True(await TestDevice.NothingAsync(a.Phone.States, s => s.Call.Id == call.Id));

        // A ring that ended frees its place.
        await c.Api.DeclineCallAsync(call.Id);
        Assert.Equal(ParticipantState.Ringing, StateOf(await b.Api.InviteToCallAsync(call.Id, d.Id), d.Id));
    }

    [Fact]
    public async Task Only_a_participant_in_the_call_may_ring_someone_in()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol");
        await using var d = await JoinAsync("dave");
        await using var stranger = await JoinAsync("stranger");
        var call = await a.Api.PlaceCallAsync(new PlaceCallRequest(b.Id, AlsoInvite: [c.Id]));
        await b.Api.DeclineCallAsync(call.Id);
        await c.Api.AcceptCallAsync(call.Id);
        await a.Phone.StateAsync(call.Id, CallState.Accepted);
        var before = await a.Api.GetCallAsync(call.Id);

        await Refusals.ApiAsync(() => b.Api.InviteToCallAsync(call.Id, d.Id), HttpStatusCode.Conflict, ProblemCodes.IllegalTransition);
        await Refusals.HubAsync(() => b.Phone.Connection.InviteToCall(call.Id, d.Id), ProblemCodes.IllegalTransition);
        await Refusals.ApiAsync(() => stranger.Api.InviteToCallAsync(call.Id, d.Id), HttpStatusCode.NotFound, ProblemCodes.CallNotFound);
        await Refusals.HubAsync(() => stranger.Phone.Connection.InviteToCall(call.Id, d.Id), ProblemCodes.CallNotFound);

        Assert.Equal(before, await a.Api.GetCallAsync(call.Id));
        Assert.True(await TestDevice.NothingAsync(d.Phone.Incoming));
        Assert.True(await TestDevice.NothingAsync(a.Phone.States, s => s.Call.Id == call.Id));
        Assert.Empty((await d.Api.GetCallHistoryAsync()).Items);
    }

    [Fact]
    public async Task Ringing_in_yourself_or_someone_who_does_not_exist_is_refused()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        var call = await TwoInACallAsync(a, b);
        var before = await a.Api.GetCallAsync(call.Id);

        await Refusals.ApiAsync(() => a.Api.InviteToCallAsync(call.Id, a.Id), HttpStatusCode.BadRequest, ProblemCodes.CannotCallSelf);
        await Refusals.HubAsync(() => b.Phone.Connection.InviteToCall(call.Id, b.Id), ProblemCodes.CannotCallSelf);
        await Refusals.ApiAsync(() => a.Api.InviteToCallAsync(call.Id, Guid.NewGuid()), HttpStatusCode.NotFound, ProblemCodes.UnknownCallee);
        await Refusals.ApiAsync(() => a.Api.PlaceCallAsync(new PlaceCallRequest(b.Id, AlsoInvite: [a.Id])),
            HttpStatusCode.BadRequest, ProblemCodes.CannotCallSelf);

        Assert.Equal(before, await a.Api.GetCallAsync(call.Id));
        Assert.True(await TestDevice.NothingAsync(a.Phone.States, s => s.Call.Id == call.Id));
    }

    [Fact]
    public async Task Ringing_in_someone_ringing_or_joined_changes_nothing_and_someone_who_declined_or_left_rings_again()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol");
        var call = await ThreeInACallAsync(a, b, c);
        var before = await a.Api.GetCallAsync(call.Id);

        Assert.Equal(before, await a.Api.InviteToCallAsync(call.Id, b.Id));
        Assert.Equal(before, await c.Phone.Connection.InviteToCall(call.Id, a.Id));
        Assert.True(await TestDevice.NothingAsync(b.Phone.Incoming));
        Assert.True(await TestDevice.NothingAsync(b.Phone.States, s => s.Call.Id == call.Id));

        await c.Api.EndCallAsync(call.Id);
        await ParticipantAsync(a.Phone, call.Id, c.Id, ParticipantState.Left);
        var again = await b.Api.InviteToCallAsync(call.Id, c.Id);
        Assert.Equal((ParticipantState.Ringing, CallReason.None), ParticipantOf(again, c.Id));
        Assert.Null(again.Participants.Single(p => p.Party.Id == c.Id).JoinedAt);
        await TestDevice.NextAsync(c.Phone.Incoming, x => x.Id == call.Id);

        await c.Phone.Connection.DeclineCall(call.Id);
        await ParticipantAsync(a.Phone, call.Id, c.Id, ParticipantState.Declined);
        await a.Phone.Connection.InviteToCall(call.Id, c.Id);
        await TestDevice.NextAsync(c.Phone.Incoming, x => x.Id == call.Id);
        await c.Phone.Connection.AcceptCall(call.Id);

        var stored = await a.Api.GetCallAsync(call.Id);
        Assert.Equal(3, stored.Participants.Count);
        Assert.All(stored.Participants, p => Assert.Equal(ParticipantState.Joined, p.State));
        await b.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 welcome back", To: c.Id));
        Assert.Equal((c.Id, b.Id), await FromToAsync(c.Phone, "v=0 welcome back"));
    }

    [Fact]
    public async Task Someone_in_another_call_is_rung_in_as_busy_and_someone_offline_as_missed()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var d = await JoinAsync("dave");
        await using var e = await JoinAsync("erin");
        var offline = await server.SignUpAsync("offline");
        var call = await TwoInACallAsync(a, b);
        var other = await TwoInACallAsync(d, e);

        var busy = await a.Api.InviteToCallAsync(call.Id, d.Id);
        var missed = await b.Phone.Connection.InviteToCall(call.Id, offline.Id);

        Assert.Equal((ParticipantState.Busy, CallReason.CalleeBusy), ParticipantOf(busy, d.Id));
        Assert.Equal((ParticipantState.Missed, CallReason.CalleeOffline), ParticipantOf(missed, offline.Id));
        Assert.Equal(CallState.Accepted, missed.State);
        Assert.True(await TestDevice.NothingAsync(d.Phone.Incoming, x => x.Id == call.Id));
        Assert.Equal(ParticipantState.Joined, StateOf(await d.Api.GetCallAsync(other.Id), d.Id));
        Assert.Equal(1, (await d.Api.GetMissedCallsAsync()).UnseenCount);
        Assert.Equal(1, (await offline.Api.GetMissedCallsAsync()).UnseenCount);
    }

    [Fact]
    public async Task An_invitees_first_device_to_answer_joins_and_their_other_devices_hear_answered_elsewhere()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol", devices: 3);
        var call = await TwoInACallAsync(a, b);
        await a.Api.InviteToCallAsync(call.Id, c.Id);
        foreach (var device in c.Devices) await TestDevice.NextAsync(device.Incoming, x => x.Id == call.Id);
        var (phone, laptop, tablet) = (c.Devices[0], c.Devices[1], c.Devices[2]);

        await laptop.Connection.AcceptCall(call.Id);

        Assert.Equal(CallReason.Answered, (await ParticipantAsync(laptop, call.Id, c.Id, ParticipantState.Joined)).Reason);
        Assert.Equal(CallReason.AnsweredElsewhere, (await ParticipantAsync(phone, call.Id, c.Id, ParticipantState.Joined)).Reason);
        Assert.Equal(CallReason.AnsweredElsewhere, (await ParticipantAsync(tablet, call.Id, c.Id, ParticipantState.Joined)).Reason);
        Assert.Equal(CallReason.Answered, (await ParticipantAsync(a.Phone, call.Id, c.Id, ParticipantState.Joined)).Reason);
        await Refusals.HubAsync(() => tablet.Connection.AcceptCall(call.Id), ProblemCodes.IllegalTransition);

        await a.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 to the laptop", To: c.Id));
        Assert.Equal((c.Id, a.Id), await FromToAsync(laptop, "v=0 to the laptop"));
        Assert.True(await TestDevice.NothingAsync(phone.Signals));
        Assert.True(await TestDevice.NothingAsync(tablet.Signals));
        await Refusals.HubAsync(() => phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0", To: a.Id)),
            ProblemCodes.SignalRefused);
    }

    [Fact]
    public async Task A_participant_whose_connection_drops_resumes_the_group_call_and_signals_flow_again()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        await using var c = await JoinAsync("carol");
        var call = await ThreeInACallAsync(a, b, c);

        await ConnectionDrops.DropAsync(c.Phone);
        await TestDevice.NextAsync(c.Phone.Reconnected);
        await ConnectionDrops.ServerNoticesLossAsync(server, call.Id);
        await Refusals.HubAsync(() => a.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0", To: c.Id)),
            ProblemCodes.SignalRefused);
        await b.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 meanwhile", To: a.Id));
        Assert.Equal((a.Id, b.Id), await FromToAsync(a.Phone, "v=0 meanwhile"));

        var resumed = await c.Phone.Connection.ResumeCall(call.Id);

        Assert.Equal(CallState.Accepted, resumed.State);
        await a.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 ice restart", To: c.Id));
        Assert.Equal((c.Id, a.Id), await FromToAsync(c.Phone, "v=0 ice restart"));
        await c.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0 back", To: b.Id));
        Assert.Equal((b.Id, c.Id), await FromToAsync(b.Phone, "v=0 back"));
        await server.AdvanceAsync(Grace + TimeSpan.FromSeconds(5));
        Assert.True(await TestDevice.NothingAsync(a.Phone.States, s => s.Call.Id == call.Id));
        Assert.All((await a.Api.GetCallAsync(call.Id)).Participants, p => Assert.Equal(ParticipantState.Joined, p.State));
    }

    [Fact]
    public async Task A_participant_who_stays_away_past_the_grace_period_leaves_and_the_others_go_on()
    {
        await using var a = await JoinAsync("alice");
        await using var b = await JoinAsync("bob");
        var carol = await server.SignUpAsync("carol");
        await using var c = new Member(carol, [await carol.ConnectAsync(reconnect: false)]);
        var call = await ThreeInACallAsync(a, b, c);

        await ConnectionDrops.DropAsync(c.Phone);
        await ConnectionDrops.ServerNoticesLossAsync(server, call.Id);
        await server.AdvanceAsync(Grace - TimeSpan.FromSeconds(1));
        Assert.True(await TestDevice.NothingAsync(a.Phone.States, s => s.Call.Id == call.Id));

        await server.AdvanceAsync(TimeSpan.FromSeconds(2));

        var gone = await ParticipantAsync(a.Phone, call.Id, c.Id, ParticipantState.Left);
        Assert.Equal(CallState.Accepted, gone.Call.State);
        Assert.Equal(CallReason.ConnectionLost, ParticipantOf(gone.Call, c.Id).Reason);
        await ParticipantAsync(b.Phone, call.Id, c.Id, ParticipantState.Left);
        await a.Phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 the two of us"));
        Assert.Equal((b.Id, a.Id), await FromToAsync(b.Phone, "v=0 the two of us"));
        Assert.Equal(CallState.Accepted, (await b.Api.GetCallAsync(call.Id)).State);
    }

    /// <summary>A user with one or more connected devices.</summary>
    private sealed record Member(TestUser User, IReadOnlyList<TestDevice> Devices) : IAsyncDisposable
    {
        public Guid Id => User.Id;
        public PeercallApi Api => User.Api;
        public TestDevice Phone => Devices[0];

        public async ValueTask DisposeAsync()
        {
            foreach (var device in Devices) await device.DisposeAsync();
        }
    }

    private async Task<Member> JoinAsync(string name, int devices = 1, PeercallServer? on = null)
    {
        var user = await (on ?? server).SignUpAsync(name);
        var connected = new List<TestDevice>();
        for (var i = 0; i < devices; i++) connected.Add(await user.ConnectAsync());
        return new Member(user, connected);
    }

    /// <summary>The first calls the second from their phone and the second answers on theirs.</summary>
    private static async Task<Call> TwoInACallAsync(Member caller, Member callee)
    {
        var call = await caller.Phone.Connection.PlaceCall(new PlaceCallRequest(callee.Id));
        await TestDevice.NextAsync(callee.Phone.Incoming, x => x.Id == call.Id);
        await callee.Phone.Connection.AcceptCall(call.Id);
        await caller.Phone.StateAsync(call.Id, CallState.Accepted);
        return call;
    }

    /// <summary>A calls B, B answers, A rings C in and C answers; returns once all three have heard C join.</summary>
    private static async Task<Call> ThreeInACallAsync(Member a, Member b, Member c)
    {
        var call = await TwoInACallAsync(a, b);
        await a.Phone.Connection.InviteToCall(call.Id, c.Id);
        await TestDevice.NextAsync(c.Phone.Incoming, x => x.Id == call.Id);
        await c.Phone.Connection.AcceptCall(call.Id);
        foreach (var member in new[] { a, b, c }) await ParticipantAsync(member.Phone, call.Id, c.Id, ParticipantState.Joined);
        return call;
    }

    private static Task<CallStateChange> ParticipantAsync(TestDevice device, Guid callId, Guid userId, ParticipantState state) =>
        TestDevice.NextAsync(device.States, s => s.Call.Id == callId
                                                 && s.Call.Participants.SingleOrDefault(p => p.Party.Id == userId)?.State == state);

    private static ParticipantState StateOf(Call call, Guid userId) => call.Participants.Single(p => p.Party.Id == userId).State;

    private static (ParticipantState State, CallReason Reason) ParticipantOf(Call call, Guid userId)
    {
        var participant = call.Participants.Single(p => p.Party.Id == userId);
        return (participant.State, participant.Reason);
    }

    /// <summary>Who a signal with this payload was addressed to and who the server says sent it.</summary>
    private static async Task<(Guid? To, Guid? From)> FromToAsync(TestDevice device, string payload)
    {
        var signal = await TestDevice.NextAsync(device.Signals, s => s.Payload == payload);
        return (signal.To, signal.From);
    }

    private static async Task<(T1, T2)> BothAsync<T1, T2>(Task<T1> first, Task<T2> second)
    {
        await Task.WhenAll(first, second);
        return (first.Result, second.Result);
    }

    /// <summary>The call as leaving it left it, or null when another's leaving had ended the call, and so taken
    /// this participant out, first: that request is refused as too late, as any transition that lost a race is.</summary>
    private static async Task<Call?> LeavingAsync(Func<Task<Call>> leave)
    {
        try
        {
            return await leave();
        }
        catch (PeercallApiException e) when (e.Code == ProblemCodes.IllegalTransition)
        {
            return null;
        }
        catch (PeercallHubException e) when (e.Code == ProblemCodes.IllegalTransition)
        {
            return null;
        }
    }

    /// <summary>Waits until each of these users is online again, in whatever order the changes come.</summary>
    private static async Task OnlineAgainAsync(TestDevice watching, params Guid[] userIds)
    {
        var waiting = userIds.ToHashSet();
        while (waiting.Count > 0)
            waiting.Remove((await TestDevice.NextAsync(watching.Presence,
                p => waiting.Contains(p.UserId) && p.Presence == PresenceState.Online)).UserId);
    }

    private static async Task<PresenceState> PresenceSeenByAsync(TestUser watcher, TestUser user) =>
        Assert.Single((await watcher.Api.GetContactsAsync(user.Username)).Items, x => x.Id == user.Id).Presence;
}
