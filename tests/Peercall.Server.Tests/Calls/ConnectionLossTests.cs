using System.Net.WebSockets;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Calls;

/// <summary>
/// A device that closes its connection has left: its calls end at once. A connection that drops may come back:
/// its accepted call waits out the reconnect grace (15 s), on the fake clock, for the device to resume it.
/// </summary>
public sealed class ConnectionLossTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Closing_the_bound_device_ends_the_accepted_call_with_connection_lost()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();

        await parties.CallerPhone.Connection.StopAsync();

        var ended = await parties.CalleePhone.StateAsync(call.Id, CallState.Ended);
        Assert.Equal(CallReason.ConnectionLost, ended.Reason);
        Assert.Equal(ended.Call, await parties.Callee.Api.GetCallAsync(call.Id));
    }

    [Fact]
    public async Task Closing_a_device_the_call_is_not_bound_to_leaves_the_call_alone()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        await using var calleeLaptop = await parties.Callee.ConnectAsync();
        var call = await parties.AcceptedAsync();

        await calleeLaptop.Connection.StopAsync();

        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.States, s => s.Call.Id == call.Id));
        Assert.Equal(CallState.Accepted, (await parties.Caller.Api.GetCallAsync(call.Id)).State);
    }

    [Fact]
    public async Task The_caller_closing_while_it_rings_cancels_the_call()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();

        await parties.CallerPhone.Connection.StopAsync();

        var cancelled = await parties.CalleePhone.StateAsync(call.Id, CallState.Cancelled);
        Assert.Equal(CallReason.ConnectionLost, cancelled.Reason);
    }

    [Fact]
    public async Task The_callee_closing_the_last_device_while_it_rings_makes_the_call_missed()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        await using var calleeLaptop = await parties.Callee.ConnectAsync();
        var call = await parties.RingingAsync();

        await calleeLaptop.Connection.StopAsync();
        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.States, s => s.Call.Id == call.Id, TimeSpan.FromMilliseconds(300)));
        await parties.CalleePhone.Connection.StopAsync();

        var missed = await parties.CallerPhone.StateAsync(call.Id, CallState.Missed);
        Assert.Equal(CallReason.CalleeOffline, missed.Reason);
        Assert.Equal(1, (await parties.Callee.Api.GetMissedCallsAsync()).UnseenCount);
    }

    [Fact]
    public async Task A_dropped_connection_that_comes_back_resumes_the_call()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();
        var before = parties.CallerPhone.Id;

        await ConnectionDrops.DropAsync(parties.CallerPhone);
        var after = await TestDevice.NextAsync(parties.CallerPhone.Reconnected);
        Assert.NotEqual(before, after);
        await Refusals.HubAsync(() => parties.CallerPhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0")),
            ProblemCodes.SignalRefused);

        var resumed = await parties.CallerPhone.Connection.ResumeCall(call.Id);

        Assert.Equal(CallState.Accepted, resumed.State);
        await parties.CalleePhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 ice restart"));
        Assert.Equal("v=0 ice restart", (await parties.CallerPhone.SignalAsync()).Payload);
        await parties.CallerPhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0 answer"));
        Assert.Equal("v=0 answer", (await parties.CalleePhone.SignalAsync()).Payload);

        await server.AdvanceAsync(Grace + TimeSpan.FromSeconds(5));
        Assert.True(await TestDevice.NothingAsync(parties.CalleePhone.States,
            s => s.Call.Id == call.Id && s.Call.State != CallState.Accepted, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(CallState.Accepted, (await parties.Caller.Api.GetCallAsync(call.Id)).State);
    }

    [Fact]
    public async Task A_connection_whose_network_goes_away_without_a_goodbye_waits_out_the_grace_period()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var (call, roaming) = await AcceptedOnABareWebSocketAsync(parties);

        roaming.Abort();

        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.States,
            s => s.Call.Id == call.Id && s.Call.State != CallState.Accepted, TimeSpan.FromSeconds(1)));
        Assert.Equal(CallState.Accepted, (await parties.Caller.Api.GetCallAsync(call.Id)).State);
        await server.AdvanceAsync(Grace + TimeSpan.FromSeconds(5));
        Assert.Equal(CallReason.ConnectionLost, (await parties.CallerPhone.StateAsync(call.Id, CallState.Ended)).Reason);
    }

    [Fact]
    public async Task A_closing_handshake_alone_as_a_browser_closing_its_tab_sends_ends_the_call_at_once()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var (call, tab) = await AcceptedOnABareWebSocketAsync(parties);

        await tab.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "", CancellationToken.None);

        Assert.Equal(CallReason.ConnectionLost, (await parties.CallerPhone.StateAsync(call.Id, CallState.Ended)).Reason);
    }

    [Fact]
    public async Task A_device_that_said_it_is_leaving_ends_the_call_at_once_even_when_its_close_frame_is_lost()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var (call, device) = await AcceptedOnABareWebSocketAsync(parties);
        await RawHubSocket.InvokeAsync(device, "2", "Leaving");

        device.Abort();

        Assert.Equal(CallReason.ConnectionLost, (await parties.CallerPhone.StateAsync(call.Id, CallState.Ended)).Reason);
    }

    /// <summary>The callee answers on a bare WebSocket, which the test can close with or without a closing
    /// handshake.</summary>
    private async Task<(Call Call, ClientWebSocket Socket)> AcceptedOnABareWebSocketAsync(CallParties parties)
    {
        var call = await parties.RingingAsync();
        var socket = await RawHubSocket.ConnectAsync(server, parties.Callee);
        var completion = await RawHubSocket.InvokeAsync(socket, "1", "GetConnectionId");
        var connectionId = System.Text.Json.JsonDocument.Parse(completion.TrimEnd('\u001e')).RootElement.GetProperty("result").GetString();
        await parties.Callee.Api.AcceptCallAsync(call.Id, connectionId);
        await parties.CallerPhone.StateAsync(call.Id, CallState.Accepted);
        return (call, socket);
    }

    [Fact]
    public async Task A_dropped_connection_that_stays_away_ends_the_call_after_the_grace_period()
    {
        var caller = await server.SignUpAsync("caller");
        var callee = await server.SignUpAsync("callee");
        await using var callerPhone = await caller.ConnectAsync(reconnect: false);
        await using var calleePhone = await callee.ConnectAsync();
        var call = await callerPhone.Connection.PlaceCall(new PlaceCallRequest(callee.Id));
        await calleePhone.Connection.AcceptCall(call.Id);

        await ConnectionDrops.DropAsync(callerPhone);
        await ConnectionDrops.ServerNoticesLossAsync(server, call.Id);
        await server.AdvanceAsync(Grace - TimeSpan.FromSeconds(1));
        Assert.True(await TestDevice.NothingAsync(calleePhone.States, s => s.Call.Id == call.Id && s.Call.State == CallState.Ended,
            TimeSpan.FromMilliseconds(300)));

        await server.AdvanceAsync(TimeSpan.FromSeconds(2));
        var ended = await calleePhone.StateAsync(call.Id, CallState.Ended);
        Assert.Equal(CallReason.ConnectionLost, ended.Reason);
    }

    [Fact]
    public async Task A_second_device_cannot_take_over_a_call_while_the_bound_device_is_connected()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();
        await using var callerLaptop = await (await parties.Caller.SignInAgainAsync()).ConnectAsync();

        await Refusals.HubAsync(() => callerLaptop.Connection.ResumeCall(call.Id), ProblemCodes.IllegalTransition);

        await parties.CalleePhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 still here"));
        Assert.Equal("v=0 still here", (await parties.CallerPhone.SignalAsync()).Payload);
        Assert.True(await TestDevice.NothingAsync(callerLaptop.Signals));
    }

    [Fact]
    public async Task The_device_back_on_a_new_connection_before_the_server_noticed_its_old_one_drop_resumes_the_call()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();
        // The same sign-in on a new connection, while the old one, whose network went away, still looks open.
        await using var sameDeviceBack = await parties.Caller.ConnectAsync();

        Assert.Equal(CallState.Accepted, (await sameDeviceBack.Connection.ResumeCall(call.Id)).State);

        await parties.CalleePhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 ice restart"));
        Assert.Equal("v=0 ice restart", (await sameDeviceBack.SignalAsync()).Payload);
        await ConnectionDrops.DropAsync(parties.CallerPhone);
        await server.AdvanceAsync(Grace + TimeSpan.FromSeconds(5));
        Assert.True(await TestDevice.NothingAsync(parties.CalleePhone.States,
            s => s.Call.Id == call.Id && s.Call.State != CallState.Accepted, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(CallState.Accepted, (await parties.Caller.Api.GetCallAsync(call.Id)).State);
    }

    [Fact]
    public async Task A_call_that_is_not_accepted_cannot_be_resumed()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();
        await Refusals.HubAsync(() => parties.CallerPhone.Connection.ResumeCall(call.Id), ProblemCodes.IllegalTransition);

        await parties.Caller.Api.CancelCallAsync(call.Id);
        await Refusals.HubAsync(() => parties.CallerPhone.Connection.ResumeCall(call.Id), ProblemCodes.IllegalTransition);
    }
}
