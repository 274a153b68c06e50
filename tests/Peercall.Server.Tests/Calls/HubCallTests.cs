using Microsoft.Extensions.Logging;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Server.Calls;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Calls;

/// <summary>The hub's call actions go through the same state machine as REST, bound to the calling connection.</summary>
public sealed class HubCallTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Fact]
    public async Task A_whole_call_through_the_hub()
    {
        await using var parties = await CallParties.ConnectAsync(server);

        var placed = await parties.CallerPhone.Connection.PlaceCall(new PlaceCallRequest(parties.Callee.Id));
        Assert.Equal(CallState.Ringing, placed.State);
        Assert.Equal(placed.Id, (await parties.CalleePhone.IncomingAsync()).Id);

        var accepted = await parties.CalleePhone.Connection.AcceptCall(placed.Id);
        Assert.Equal(CallState.Accepted, accepted.State);
        await parties.CallerPhone.StateAsync(placed.Id, CallState.Accepted);

        var ended = await parties.CalleePhone.Connection.EndCall(placed.Id, CallReason.HungUp);
        Assert.Equal((CallState.Ended, CallReason.HungUp), (ended.State, ended.Reason));
        await parties.CallerPhone.StateAsync(placed.Id, CallState.Ended);
        Assert.Equal(ended, await parties.Caller.Api.GetCallAsync(placed.Id));
    }

    [Fact]
    public async Task Cancelling_and_declining_through_the_hub()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var first = await parties.CallerPhone.Connection.PlaceCall(new PlaceCallRequest(parties.Callee.Id));
        Assert.Equal(CallState.Cancelled, (await parties.CallerPhone.Connection.CancelCall(first.Id)).State);

        var second = await parties.CallerPhone.Connection.PlaceCall(new PlaceCallRequest(parties.Callee.Id));
        Assert.Equal(CallState.Declined, (await parties.CalleePhone.Connection.DeclineCall(second.Id)).State);
    }

    [Fact]
    public async Task Refusals_through_the_hub_carry_the_same_codes_as_rest()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var connection = parties.CallerPhone.Connection;

        await Refusals.HubAsync(() => connection.PlaceCall(new PlaceCallRequest(Guid.NewGuid())), ProblemCodes.UnknownCallee);
        await Refusals.HubAsync(() => connection.PlaceCall(new PlaceCallRequest(parties.Callee.Id, (CallMedia)7)),
            ProblemCodes.BadRequest);
        await Refusals.HubAsync(() => connection.AcceptCall(Guid.NewGuid()), ProblemCodes.CallNotFound);
        var call = await connection.PlaceCall(new PlaceCallRequest(parties.Callee.Id));
        await Refusals.HubAsync(() => connection.PlaceCall(new PlaceCallRequest(parties.Callee.Id)), ProblemCodes.AlreadyCalling);
        await Refusals.HubAsync(() => parties.CalleePhone.Connection.EndCall(call.Id, CallReason.Glare), ProblemCodes.BadRequest);
        Assert.Equal(CallState.Ringing, (await parties.Caller.Api.GetCallAsync(call.Id)).State);
    }

    [Fact]
    public async Task Every_transition_is_logged_with_structured_values()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();
        await parties.Callee.Api.EndCallAsync(call.Id);

        var entries = server.Logs.Entries
            .Where(e => e.Category == typeof(CallService).FullName && Equals(e.Values.GetValueOrDefault("CallId"), call.Id))
            .ToList();
        var transitions = entries.Where(e => e.Values.ContainsKey("CallerId")).ToList();
        var participants = entries.Where(e => e.Values.ContainsKey("UserId")).ToList();

        Assert.Equal([("new", "Ringing"), ("Ringing", "Accepted"), ("Accepted", "Ended")],
            transitions.Select(t => (t.Values["FromState"]?.ToString(), t.Values["ToState"]?.ToString())));
        Assert.Equal([(parties.Callee.Id, "Ringing", "Joined"), (parties.Callee.Id, "Joined", "Left"), (parties.Caller.Id, "Joined", "Left")],
            participants.Select(t => ((Guid)t.Values["UserId"]!, t.Values["FromState"]?.ToString(), t.Values["ToState"]?.ToString())));
        Assert.All(entries, t =>
        {
            Assert.Equal(LogLevel.Information, t.Level);
            Assert.True(t.Values.ContainsKey("{OriginalFormat}"), "The message is a template with named values.");
            Assert.NotNull(t.Values["Reason"]);
            Assert.NotNull(t.Values["ActorId"]);
        });
        Assert.All(transitions, t =>
        {
            Assert.Equal(parties.Caller.Id, t.Values["CallerId"]);
            Assert.Equal(parties.Callee.Id, t.Values["CalleeId"]);
        });
        Assert.Equal([CallReason.None, CallReason.Answered, CallReason.HungUp], transitions.Select(t => (CallReason)t.Values["Reason"]!));
    }
}
