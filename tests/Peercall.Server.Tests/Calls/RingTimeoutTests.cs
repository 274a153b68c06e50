using System.Net;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Server.Calls;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Calls;

/// <summary>The ring timeout runs in a background sweep on the server's fake clock: these tests move the clock,
/// they never sleep. Tests that configure the timeout start a server of their own.</summary>
public sealed class RingTimeoutTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Fact]
    public async Task An_unanswered_call_rings_for_45_seconds_then_is_missed_on_both_sides()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();

        await server.AdvanceAsync(TimeSpan.FromSeconds(44));
        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.States, s => s.Call.Id == call.Id, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(CallState.Ringing, (await parties.Caller.Api.GetCallAsync(call.Id)).State);

        await server.AdvanceAsync(TimeSpan.FromSeconds(2));
        var missed = await parties.CallerPhone.StateAsync(call.Id, CallState.Missed);
        Assert.Equal(CallReason.NoAnswer, missed.Reason);
        Assert.Equal(CallReason.NoAnswer, (await parties.CalleePhone.StateAsync(call.Id, CallState.Missed)).Reason);
        Assert.NotNull(missed.Call.EndedAt);
        Assert.Null(missed.Call.AnsweredAt);
        Assert.Equal(1, (await parties.Callee.Api.GetMissedCallsAsync()).UnseenCount);
        await Refusals.ApiAsync(() => parties.Callee.Api.AcceptCallAsync(call.Id), HttpStatusCode.Conflict,
            ProblemCodes.IllegalTransition);
    }

    [Fact]
    public async Task An_answered_call_is_not_touched_by_the_ring_timeout()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();

        await server.AdvanceAsync(TimeSpan.FromMinutes(2));

        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.States, s => s.Call.Id == call.Id, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(CallState.Accepted, (await parties.Caller.Api.GetCallAsync(call.Id)).State);
        await parties.Caller.Api.EndCallAsync(call.Id);
    }

    [Fact]
    public async Task The_sweep_moves_a_call_once_however_often_it_runs()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();
        await server.AdvanceAsync(TimeSpan.FromSeconds(46));
        var missed = await parties.CallerPhone.StateAsync(call.Id, CallState.Missed);

        // As a second node would: its own sweeps, at the same time and afterwards.
        var moved = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            server.WithScopedAsync<CallService, int>(calls => calls.ExpireRingingAsync(TimeSpan.FromSeconds(45)))));
        await server.AdvanceAsync(TimeSpan.FromSeconds(5));

        Assert.All(moved, count => Assert.Equal(0, count));
        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.States, s => s.Call.Id == call.Id));
        Assert.Equal(missed.Call, await parties.Caller.Api.GetCallAsync(call.Id));
    }

    [Fact]
    public async Task The_ring_timeout_is_configurable()
    {
        await using var server = new PeercallServer(new() { ["Peercall:Calls:RingTimeout"] = "00:00:10" });
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();

        await server.AdvanceAsync(TimeSpan.FromSeconds(9));
        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.States, s => s.Call.Id == call.Id, TimeSpan.FromMilliseconds(300)));

        await server.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(CallReason.NoAnswer, (await parties.CallerPhone.StateAsync(call.Id, CallState.Missed)).Reason);
    }

    [Fact]
    public async Task Sweeps_racing_on_two_nodes_make_exactly_one_transition_and_one_event()
    {
        // The background sweep waits a minute here, so only the sweeps this test starts run.
        await using var server = new PeercallServer(new()
        {
            ["Peercall:Calls:RingTimeout"] = "00:00:10",
            ["Peercall:Calls:SweepInterval"] = "00:01:00",
        });
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();
        await server.AdvanceAsync(TimeSpan.FromSeconds(11));

        var moved = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            server.WithScopedAsync<CallService, int>(calls => calls.ExpireRingingAsync(TimeSpan.FromSeconds(10)))));

        Assert.Equal(1, moved.Sum());
        var missed = await parties.CallerPhone.StateAsync(call.Id, CallState.Missed);
        await server.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.States, s => s.Call.Id == call.Id));
        await parties.CalleePhone.StateAsync(call.Id, CallState.Missed);
        Assert.True(await TestDevice.NothingAsync(parties.CalleePhone.States, s => s.Call.Id == call.Id));
        Assert.Equal(missed.Call, await parties.Caller.Api.GetCallAsync(call.Id));
    }
}
