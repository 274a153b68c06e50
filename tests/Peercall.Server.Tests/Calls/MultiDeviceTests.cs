using System.Net;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Calls;

/// <summary>Every device of the callee rings; the first to answer wins the call and is bound to it.</summary>
public sealed class MultiDeviceTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Fact]
    public async Task Every_device_of_the_callee_rings()
    {
        await using var parties = await SetUpAsync(devices: 3);
        var (alice, alicePhone, bob, bobDevices) = parties;

        var call = await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id));

        foreach (var device in bobDevices) Assert.Equal(call.Id, (await device.IncomingAsync()).Id);
        Assert.True(await TestDevice.NothingAsync(alicePhone.Incoming));
    }

    [Fact]
    public async Task The_first_accept_wins_binds_that_device_and_the_others_hear_answered_elsewhere()
    {
        await using var parties = await SetUpAsync(devices: 3);
        var (alice, alicePhone, bob, bobDevices) = parties;
        var (phone, laptop, tablet) = (bobDevices[0], bobDevices[1], bobDevices[2]);
        var call = await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id));
        foreach (var device in bobDevices) await device.IncomingAsync();

        var accepted = await bob.Api.AcceptCallAsync(call.Id, laptop.Id);

        Assert.Equal(CallState.Accepted, accepted.State);
        Assert.Equal(CallReason.Answered, (await laptop.StateAsync(call.Id, CallState.Accepted)).Reason);
        Assert.Equal(CallReason.AnsweredElsewhere, (await phone.StateAsync(call.Id, CallState.Accepted)).Reason);
        Assert.Equal(CallReason.AnsweredElsewhere, (await tablet.StateAsync(call.Id, CallState.Accepted)).Reason);
        Assert.Equal(CallReason.Answered, (await alicePhone.StateAsync(call.Id, CallState.Accepted)).Reason);

        await Refusals.ApiAsync(() => bob.Api.AcceptCallAsync(call.Id, phone.Id), HttpStatusCode.Conflict,
            ProblemCodes.IllegalTransition);
        await Refusals.HubAsync(() => tablet.Connection.AcceptCall(call.Id), ProblemCodes.IllegalTransition);

        // The call is bound to the laptop: its signals flow, the phone's are refused.
        await alicePhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 to the laptop"));
        Assert.Equal("v=0 to the laptop", (await laptop.SignalAsync()).Payload);
        Assert.True(await TestDevice.NothingAsync(phone.Signals));
        await Refusals.HubAsync(() => phone.Connection.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0")),
            ProblemCodes.SignalRefused);
    }

    [Fact]
    public async Task Accepting_through_the_hub_binds_the_accepting_connection()
    {
        await using var parties = await SetUpAsync(devices: 2);
        var (alice, alicePhone, bob, bobDevices) = parties;
        var call = await alicePhone.Connection.PlaceCall(new PlaceCallRequest(bob.Id));
        foreach (var device in bobDevices) await device.IncomingAsync();

        var accepted = await bobDevices[0].Connection.AcceptCall(call.Id);

        Assert.Equal(CallState.Accepted, accepted.State);
        Assert.Equal(CallReason.AnsweredElsewhere, (await bobDevices[1].StateAsync(call.Id, CallState.Accepted)).Reason);
        await bobDevices[0].Connection.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0 from the phone"));
        Assert.Equal("v=0 from the phone", (await alicePhone.SignalAsync()).Payload);
    }

    [Fact]
    public async Task Concurrent_accepts_on_two_devices_let_exactly_one_win()
    {
        await using var parties = await SetUpAsync(devices: 2);
        var (alice, alicePhone, bob, bobDevices) = parties;
        var call = await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id));
        foreach (var device in bobDevices) await device.IncomingAsync();

        var attempts = bobDevices.Select(d => d.Connection.AcceptCall(call.Id)).ToList();
        var outcomes = await Task.WhenAll(attempts.Select(async a =>
        {
            try
            {
                await a;
                return true;
            }
            catch (Microsoft.AspNetCore.SignalR.HubException e) when (e.Message.StartsWith(ProblemCodes.IllegalTransition))
            {
                return false;
            }
        }));

        Assert.Single(outcomes, won => won);
        var winner = bobDevices[Array.IndexOf(outcomes, true)];
        var loser = bobDevices[Array.IndexOf(outcomes, false)];
        Assert.Equal(CallReason.AnsweredElsewhere, (await loser.StateAsync(call.Id, CallState.Accepted)).Reason);
        await alicePhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0"));
        await winner.SignalAsync();
    }

    [Fact]
    public async Task A_decline_on_one_device_stops_the_ringing_on_all_of_them()
    {
        await using var parties = await SetUpAsync(devices: 3);
        var (alice, alicePhone, bob, bobDevices) = parties;
        var call = await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id));
        foreach (var device in bobDevices) await device.IncomingAsync();

        var declined = await bobDevices[2].Connection.DeclineCall(call.Id);

        Assert.Equal(CallState.Declined, declined.State);
        Assert.Equal(CallReason.Declined, (await bobDevices[2].StateAsync(call.Id, CallState.Declined)).Reason);
        Assert.Equal(CallReason.DeclinedElsewhere, (await bobDevices[0].StateAsync(call.Id, CallState.Declined)).Reason);
        Assert.Equal(CallReason.DeclinedElsewhere, (await bobDevices[1].StateAsync(call.Id, CallState.Declined)).Reason);
        Assert.Equal(CallReason.Declined, (await alicePhone.StateAsync(call.Id, CallState.Declined)).Reason);
    }

    [Fact]
    public async Task A_decline_through_rest_stops_the_ringing_on_every_device()
    {
        await using var parties = await SetUpAsync(devices: 2);
        var (alice, alicePhone, bob, bobDevices) = parties;
        var call = await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id));
        foreach (var device in bobDevices) await device.IncomingAsync();

        await bob.Api.DeclineCallAsync(call.Id);

        foreach (var device in bobDevices) await device.StateAsync(call.Id, CallState.Declined);
        await alicePhone.StateAsync(call.Id, CallState.Declined);
    }

    [Fact]
    public async Task Cancelling_stops_the_ringing_on_every_device()
    {
        await using var parties = await SetUpAsync(devices: 2);
        var (alice, alicePhone, bob, bobDevices) = parties;
        var call = await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id));
        foreach (var device in bobDevices) await device.IncomingAsync();

        await alicePhone.Connection.CancelCall(call.Id);

        foreach (var device in bobDevices)
            Assert.Equal(CallReason.Cancelled, (await device.StateAsync(call.Id, CallState.Cancelled)).Reason);
    }

    [Fact]
    public async Task The_callers_other_devices_neither_ring_nor_carry_the_call()
    {
        await using var parties = await SetUpAsync(devices: 1);
        var (alice, alicePhone, bob, bobDevices) = parties;
        await using var aliceLaptop = await alice.ConnectAsync();
        var call = await alicePhone.Connection.PlaceCall(new PlaceCallRequest(bob.Id));
        await bobDevices[0].IncomingAsync();
        await bobDevices[0].Connection.AcceptCall(call.Id);
        await alicePhone.StateAsync(call.Id, CallState.Accepted);

        Assert.True(await TestDevice.NothingAsync(aliceLaptop.Incoming));
        await Refusals.HubAsync(() => aliceLaptop.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0")),
            ProblemCodes.SignalRefused);
        await bobDevices[0].Connection.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0 answer"));
        await alicePhone.SignalAsync();
        Assert.True(await TestDevice.NothingAsync(aliceLaptop.Signals));
    }

    private async Task<Parties> SetUpAsync(int devices)
    {
        var alice = await server.SignUpAsync("alice");
        var bob = await server.SignUpAsync("bob");
        var alicePhone = await alice.ConnectAsync();
        var bobDevices = new TestDevice[devices];
        for (var i = 0; i < devices; i++) bobDevices[i] = await bob.ConnectAsync();
        return new Parties(alice, alicePhone, bob, bobDevices);
    }

    private sealed record Parties(TestUser Alice, TestDevice AlicePhone, TestUser Bob, TestDevice[] BobDevices)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await AlicePhone.DisposeAsync();
            foreach (var device in BobDevices) await device.DisposeAsync();
        }
    }
}
