using System.Net;
using System.Net.Http.Json;
using Peercall.Client;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Calls;

/// <summary>Every legal transition of the call state machine through REST, and every illegal one refused with
/// 409 and nothing changed.</summary>
public sealed class CallTransitionTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Fact]
    public async Task Placing_a_call_stores_it_as_ringing_and_rings_the_callee()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        using var response = await server.SendAsync(HttpMethod.Post, "api/calls",
            $$"""{"calleeId":"{{parties.Callee.Id}}","media":"audio"}""", parties.Caller.AccessToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var call = (await response.Content.ReadFromJsonAsync<Call>(PeercallApi.Json))!;
        Assert.Equal($"/api/calls/{call.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal(CallState.Ringing, call.State);
        Assert.Equal(CallReason.None, call.Reason);
        Assert.Equal(CallMedia.Audio, call.Media);
        Assert.Equal(new CallParty(parties.Caller.Id, parties.Caller.Username, parties.Caller.Profile.DisplayName), call.Caller);
        Assert.Equal(parties.Callee.Id, call.Callee.Id);
        Assert.Equal(server.Time.GetUtcNow(), call.CreatedAt, TimeSpan.FromSeconds(1));
        Assert.Null(call.AnsweredAt);
        Assert.Null(call.EndedAt);
        Assert.Equal(call, await parties.CalleePhone.IncomingAsync());
        Assert.Equal(call, await parties.Callee.Api.GetCallAsync(call.Id));
    }

    [Fact]
    public async Task Ringing_accepted_ended_stores_each_time_and_tells_both_sides()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();
        await server.AdvanceAsync(TimeSpan.FromSeconds(4));

        var accepted = await parties.Callee.Api.AcceptCallAsync(call.Id, parties.CalleePhone.Id);
        Assert.Equal(CallState.Accepted, accepted.State);
        Assert.Equal(CallReason.Answered, accepted.Reason);
        Assert.Equal(call.CreatedAt + TimeSpan.FromSeconds(4), accepted.AnsweredAt!.Value, TimeSpan.FromSeconds(1));
        Assert.Null(accepted.EndedAt);
        var told = await parties.CallerPhone.StateAsync(call.Id, CallState.Accepted);
        Assert.Equal(CallReason.Answered, told.Reason);
        await parties.CalleePhone.StateAsync(call.Id, CallState.Accepted);

        await server.AdvanceAsync(TimeSpan.FromSeconds(61));
        var ended = await parties.Callee.Api.EndCallAsync(call.Id);
        Assert.Equal(CallState.Ended, ended.State);
        Assert.Equal(CallReason.HungUp, ended.Reason);
        Assert.Equal(accepted.AnsweredAt, ended.AnsweredAt);
        Assert.Equal(accepted.AnsweredAt!.Value + TimeSpan.FromSeconds(61), ended.EndedAt!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal(CallReason.HungUp, (await parties.CallerPhone.StateAsync(call.Id, CallState.Ended)).Reason);
        Assert.Equal(ended, await parties.Caller.Api.GetCallAsync(call.Id));
    }

    [Fact]
    public async Task Either_party_may_hang_up_and_may_say_the_media_failed()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();

        var ended = await parties.Caller.Api.EndCallAsync(call.Id, CallReason.MediaFailed);

        Assert.Equal(CallState.Ended, ended.State);
        Assert.Equal(CallReason.MediaFailed, ended.Reason);
        Assert.Equal(CallReason.MediaFailed, (await parties.CalleePhone.StateAsync(call.Id, CallState.Ended)).Reason);
    }

    [Fact]
    public async Task A_video_call_is_stored_and_remembered_as_video_by_both_parties()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        using var response = await server.SendAsync(HttpMethod.Post, "api/calls",
            $$"""{"calleeId":"{{parties.Callee.Id}}","media":"video"}""", parties.Caller.AccessToken);
        var call = (await response.Content.ReadFromJsonAsync<Call>(PeercallApi.Json))!;
        Assert.Equal(CallMedia.Video, call.Media);
        Assert.Equal(CallMedia.Video, (await parties.CalleePhone.IncomingAsync()).Media);
        await parties.Callee.Api.AcceptCallAsync(call.Id, parties.CalleePhone.Id);
        await parties.Caller.Api.EndCallAsync(call.Id);

        foreach (var party in new[] { parties.Caller, parties.Callee })
        {
            var entry = Assert.Single((await party.Api.GetCallHistoryAsync()).Items);
            Assert.Equal(CallMedia.Video, entry.Media);
        }
        var voice = await parties.RingingAsync();
        Assert.Equal(CallMedia.Audio, (await parties.Callee.Api.GetCallHistoryAsync()).Items.Single(e => e.CallId == voice.Id).Media);
    }

    [Fact]
    public async Task A_call_whose_media_did_not_come_back_ends_as_media_lost_for_both()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();

        var ended = await parties.Callee.Api.EndCallAsync(call.Id, CallReason.MediaLost);

        Assert.Equal((CallState.Ended, CallReason.MediaLost), (ended.State, ended.Reason));
        Assert.Equal(CallReason.MediaLost, (await parties.CallerPhone.StateAsync(call.Id, CallState.Ended)).Reason);
    }

    [Fact]
    public async Task A_ringing_call_cannot_lose_media_it_never_had()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();

        await Refusals.ApiAsync(() => parties.Caller.Api.EndCallAsync(call.Id, CallReason.MediaLost),
            HttpStatusCode.Conflict, ProblemCodes.IllegalTransition);

        Assert.Equal(CallState.Ringing, (await parties.Caller.Api.GetCallAsync(call.Id)).State);
    }

    [Theory]
    [InlineData("glare")]
    [InlineData("answered")]
    [InlineData("connection-lost")]
    [InlineData("no-such-reason")]
    public async Task A_party_cannot_end_a_call_with_a_reason_only_the_server_gives(string reason)
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();
        using var response = await server.SendAsync(HttpMethod.Post, $"api/calls/{call.Id}/end",
            $$"""{"reason":"{{reason}}"}""", parties.Caller.AccessToken);
        await Refusals.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.BadRequest);
        Assert.Equal(CallState.Accepted, (await parties.Caller.Api.GetCallAsync(call.Id)).State);
    }

    [Fact]
    public async Task Ringing_declined_by_the_callee()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();

        var declined = await parties.Callee.Api.DeclineCallAsync(call.Id);

        Assert.Equal(CallState.Declined, declined.State);
        Assert.Equal(CallReason.Declined, declined.Reason);
        Assert.Null(declined.AnsweredAt);
        Assert.Equal(server.Time.GetUtcNow(), declined.EndedAt!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal(CallReason.Declined, (await parties.CallerPhone.StateAsync(call.Id, CallState.Declined)).Reason);
    }

    [Fact]
    public async Task Ringing_cancelled_by_the_caller()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();

        var cancelled = await parties.Caller.Api.CancelCallAsync(call.Id);

        Assert.Equal(CallState.Cancelled, cancelled.State);
        Assert.Equal(CallReason.Cancelled, cancelled.Reason);
        Assert.NotNull(cancelled.EndedAt);
        Assert.Equal(CallReason.Cancelled, (await parties.CalleePhone.StateAsync(call.Id, CallState.Cancelled)).Reason);
    }

    [Fact]
    public async Task Hanging_up_while_it_rings_cancels_for_the_caller_and_declines_for_the_callee()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var first = await parties.RingingAsync();
        var cancelled = await parties.Caller.Api.EndCallAsync(first.Id);
        Assert.Equal((CallState.Cancelled, CallReason.Cancelled), (cancelled.State, cancelled.Reason));

        var second = await parties.RingingAsync();
        var declined = await parties.Callee.Api.EndCallAsync(second.Id);
        Assert.Equal((CallState.Declined, CallReason.Declined), (declined.State, declined.Reason));
    }

    [Fact]
    public async Task Calling_someone_who_is_in_a_call_is_stored_as_busy_without_ringing()
    {
        await using var inCall = await CallParties.ConnectAsync(server);
        await inCall.AcceptedAsync();
        var other = await server.SignUpAsync("other");
        await using var otherPhone = await other.ConnectAsync();

        var busy = await other.Api.PlaceCallAsync(new PlaceCallRequest(inCall.Callee.Id));

        Assert.Equal(CallState.Busy, busy.State);
        Assert.Equal(CallReason.CalleeBusy, busy.Reason);
        Assert.NotNull(busy.EndedAt);
        Assert.True(await TestDevice.NothingAsync(inCall.CalleePhone.Incoming, c => c.Id == busy.Id));
        Assert.Equal(1, (await inCall.Callee.Api.GetMissedCallsAsync()).UnseenCount);
        await Refusals.ApiAsync(() => inCall.Callee.Api.AcceptCallAsync(busy.Id), HttpStatusCode.Conflict,
            ProblemCodes.IllegalTransition);
    }

    [Fact]
    public async Task Calling_someone_offline_is_stored_as_missed_and_seen_at_their_next_sign_in()
    {
        var caller = await server.SignUpAsync("caller");
        var callee = await server.SignUpAsync("away");
        await using var callerPhone = await caller.ConnectAsync();

        var missed = await caller.Api.PlaceCallAsync(new PlaceCallRequest(callee.Id));

        Assert.Equal(CallState.Missed, missed.State);
        Assert.Equal(CallReason.CalleeOffline, missed.Reason);
        Assert.NotNull(missed.EndedAt);

        var later = await callee.SignInAgainAsync();
        Assert.Equal(1, (await later.Api.GetMissedCallsAsync()).UnseenCount);
        var entry = Assert.Single((await later.Api.GetCallHistoryAsync()).Items);
        Assert.Equal((missed.Id, CallState.Missed, false), (entry.CallId, entry.State, entry.Seen));

        Assert.Equal(0, (await later.Api.MarkMissedCallsSeenAsync()).UnseenCount);
        Assert.Equal(0, (await later.Api.GetMissedCallsAsync()).UnseenCount);
        Assert.True(Assert.Single((await later.Api.GetCallHistoryAsync()).Items).Seen);
        Assert.Equal(0, (await caller.Api.GetMissedCallsAsync()).UnseenCount);
    }

    [Fact]
    public async Task Marking_missed_calls_seen_leaves_later_ones_unseen()
    {
        var caller = await server.SignUpAsync("caller");
        var callee = await server.SignUpAsync("away");
        await using var callerPhone = await caller.ConnectAsync();
        await caller.Api.PlaceCallAsync(new PlaceCallRequest(callee.Id));
        await callee.Api.MarkMissedCallsSeenAsync();

        await server.AdvanceAsync(TimeSpan.FromSeconds(1));
        await caller.Api.PlaceCallAsync(new PlaceCallRequest(callee.Id));

        Assert.Equal(1, (await callee.Api.GetMissedCallsAsync()).UnseenCount);
    }

    public static TheoryData<CallState, string> IllegalActions => new()
    {
        { CallState.Accepted, "accept" },
        { CallState.Accepted, "decline" },
        { CallState.Accepted, "cancel" },
        { CallState.Declined, "accept" },
        { CallState.Declined, "decline" },
        { CallState.Declined, "cancel" },
        { CallState.Declined, "end" },
        { CallState.Cancelled, "accept" },
        { CallState.Cancelled, "decline" },
        { CallState.Cancelled, "cancel" },
        { CallState.Cancelled, "end" },
        { CallState.Ended, "accept" },
        { CallState.Ended, "decline" },
        { CallState.Ended, "cancel" },
        { CallState.Ended, "end" },
    };

    [Theory]
    [MemberData(nameof(IllegalActions))]
    public async Task An_illegal_transition_gives_409_and_changes_nothing(CallState state, string action)
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.InStateAsync(state);
        var before = await parties.Caller.Api.GetCallAsync(call.Id);
        var actor = action is "cancel" or "end" ? parties.Caller : parties.Callee;
        await server.AdvanceAsync(TimeSpan.FromSeconds(3));

        using var response = await server.SendAsync(HttpMethod.Post, $"api/calls/{call.Id}/{action}",
            action is "accept" or "end" ? "{}" : null, actor.AccessToken);

        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.Conflict, ProblemCodes.IllegalTransition);
        if (action != "accept" || state != CallState.Accepted)
            Assert.Contains(state.ToString().ToLowerInvariant(), problem.GetProperty("detail").GetString());
        Assert.Equal(before, await parties.Caller.Api.GetCallAsync(call.Id));
        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.States, s => s.Call.Id == call.Id && s.Call.State != state,
            TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Missed_calls_cannot_be_accepted_declined_cancelled_or_ended()
    {
        var caller = await server.SignUpAsync("caller");
        var callee = await server.SignUpAsync("away");
        await using var callerPhone = await caller.ConnectAsync();
        var missed = await caller.Api.PlaceCallAsync(new PlaceCallRequest(callee.Id));
        await using var calleePhone = await callee.ConnectAsync();

        await Refusals.ApiAsync(() => callee.Api.AcceptCallAsync(missed.Id), HttpStatusCode.Conflict, ProblemCodes.IllegalTransition);
        await Refusals.ApiAsync(() => callee.Api.DeclineCallAsync(missed.Id), HttpStatusCode.Conflict, ProblemCodes.IllegalTransition);
        await Refusals.ApiAsync(() => caller.Api.CancelCallAsync(missed.Id), HttpStatusCode.Conflict, ProblemCodes.IllegalTransition);
        await Refusals.ApiAsync(() => caller.Api.EndCallAsync(missed.Id), HttpStatusCode.Conflict, ProblemCodes.IllegalTransition);
        Assert.Equal(missed, await caller.Api.GetCallAsync(missed.Id));
    }

    [Fact]
    public async Task A_second_accept_of_an_accepted_call_says_it_was_already_answered()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();
        var e = await Refusals.ApiAsync(() => parties.Callee.Api.AcceptCallAsync(call.Id, parties.CalleePhone.Id),
            HttpStatusCode.Conflict, ProblemCodes.IllegalTransition);
        Assert.Contains("already answered", e.Problem.Detail);
    }
}
