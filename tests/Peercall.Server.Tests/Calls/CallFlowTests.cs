using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Calls;

public sealed class CallFlowTests : IAsyncLifetime
{
    private PeercallServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new PeercallServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_call_rings_is_accepted_relays_signals_and_ends_with_a_duration()
    {
        var alice = await _server.SignUpAsync("alice");
        var bob = await _server.SignUpAsync("bob");
        await using var alicePhone = await alice.ConnectAsync();
        await using var bobPhone = await bob.ConnectAsync();

        var placed = await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id, CallMedia.Audio, alicePhone.Id));
        Assert.Equal(CallState.Ringing, placed.State);
        var incoming = await bobPhone.IncomingAsync();
        Assert.Equal(placed.Id, incoming.Id);
        Assert.Equal(alice.Id, incoming.Caller.Id);

        var accepted = await bob.Api.AcceptCallAsync(placed.Id, bobPhone.Id);
        Assert.Equal(CallState.Accepted, accepted.State);
        await alicePhone.StateAsync(placed.Id, CallState.Accepted);

        await alicePhone.Connection.SendSignal(new Signal(placed.Id, SignalKind.Offer, "v=0 offer"));
        var offer = await bobPhone.SignalAsync();
        Assert.Equal("v=0 offer", offer.Payload);
        await bobPhone.Connection.SendSignal(new Signal(placed.Id, SignalKind.Answer, "v=0 answer"));
        Assert.Equal(SignalKind.Answer, (await alicePhone.SignalAsync()).Kind);

        await _server.AdvanceAsync(TimeSpan.FromSeconds(30));
        var ended = await alice.Api.EndCallAsync(placed.Id);
        Assert.Equal(CallState.Ended, ended.State);
        Assert.Equal(CallReason.HungUp, ended.Reason);
        await bobPhone.StateAsync(placed.Id, CallState.Ended);

        var history = await bob.Api.GetCallHistoryAsync();
        var entry = Assert.Single(history.Items);
        Assert.Equal(CallDirection.Incoming, entry.Direction);
        Assert.Equal(30, entry.DurationSeconds!.Value, precision: 0);
    }
}
