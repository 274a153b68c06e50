using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Peercall.Client;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Server.Signaling;
using Peercall.Server.Tests.Infrastructure;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Server.Tests.Signaling;

/// <summary>Oversized, malformed and flooding input gets an error, and the server keeps serving everyone else.</summary>
public sealed class SignalingLimitsTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Fact]
    public async Task A_connection_that_floods_is_refused_past_its_rate_while_everyone_else_is_served()
    {
        await using var limited = new PeercallServer(new()
        {
            ["Peercall:Signaling:MessagesPerSecond"] = "5",
            ["Peercall:Signaling:MessageBurst"] = "5",
        });
        await using var flood = await CallParties.ConnectAsync(limited, "flooder", "victim");
        var call = await flood.AcceptedAsync();
        await using var others = await CallParties.ConnectAsync(limited, "carol", "dave");
        var quiet = await others.AcceptedAsync();
        // A quiet spell first (on the server's clock): the budget must not grow past the burst while it is unused.
        await limited.AdvanceAsync(TimeSpan.FromSeconds(3));

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            try
            {
                await flood.CallerPhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Candidate, $"candidate {i}"));
                return null;
            }
            catch (PeercallHubException e)
            {
                return e.Code;
            }
        }));

        var refused = results.Count(code => code == ProblemCodes.TooManyMessages);
        var relayed = results.Count(code => code is null);
        Assert.Equal(40, refused + relayed);
        // The burst exactly: the server's clock stands still during the flood.
        Assert.Equal(5, relayed);
        for (var i = 0; i < relayed; i++) await flood.CalleePhone.SignalAsync();
        Assert.True(await TestDevice.NothingAsync(flood.CalleePhone.Signals, window: TimeSpan.FromMilliseconds(200)));

        // Everyone else is served as usual, and the flooding connection stays open.
        await others.CallerPhone.Connection.SendSignal(new Signal(quiet.Id, SignalKind.Offer, "v=0 carol"));
        Assert.Equal("v=0 carol", (await others.CalleePhone.SignalAsync()).Payload);
        Assert.Equal(CallState.Ended, (await others.Callee.Api.EndCallAsync(quiet.Id)).State);
        Assert.False(flood.CallerPhone.Lost.Task.IsCompleted);
        Assert.Equal(CallState.Accepted, (await flood.Caller.Api.GetCallAsync(call.Id)).State);
    }

    [Fact]
    public async Task A_hub_message_over_the_size_limit_closes_only_that_connection()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        await using var callerLaptop = await parties.Caller.ConnectAsync();
        var watcher = await server.SignUpAsync("watcher");
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(parties.Caller);
        var call = await parties.AcceptedAsync();

        var oversized = new Signal(call.Id, SignalKind.Offer, new string('x', SignalingSetup.MaxMessageBytes + 1));
        await Assert.ThrowsAnyAsync<Exception>(() => parties.CallerPhone.Connection.SendSignal(oversized));

        await parties.CallerPhone.Lost.Task.WaitAsync(TestDevice.EventTimeout);
        Assert.False(callerLaptop.Lost.Task.IsCompleted);
        Assert.False(parties.CalleePhone.Lost.Task.IsCompleted);
        Assert.False(watching.Lost.Task.IsCompleted);
        Assert.True(await TestDevice.NothingAsync(parties.CalleePhone.Signals));
        Assert.True(await TestDevice.NothingAsync(watching.Presence,
            p => p.UserId == parties.Caller.Id && p.Presence == PresenceState.Offline, TimeSpan.FromMilliseconds(100)));

        // The others are served: the callee's device and the caller's laptop still invoke and receive.
        Assert.Equal(callerLaptop.Id, await callerLaptop.Connection.GetConnectionId());
        await Refusals.HubAsync(() => callerLaptop.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0")),
            ProblemCodes.SignalRefused);
        Assert.Equal(CallState.Ended, (await parties.Callee.Api.EndCallAsync(call.Id)).State);
        await callerLaptop.StateAsync(call.Id, CallState.Ended);
    }

    [Fact]
    public async Task Malformed_hub_invocations_get_an_error_and_the_connection_keeps_working()
    {
        var user = await server.SignUpAsync("malformed");
        await using var raw = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, SignalingRoutes.Hub.TrimStart('/')), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(user.AccessToken);
            })
            .Build();
        await raw.StartAsync();

        await Assert.ThrowsAsync<HubException>(() => raw.InvokeAsync(nameof(ISignalingHub.SendSignal), "not a signal"));
        await Assert.ThrowsAsync<HubException>(() => raw.InvokeAsync(nameof(ISignalingHub.SendSignal), 42, true));
        await Assert.ThrowsAsync<HubException>(() => raw.InvokeAsync(nameof(ISignalingHub.AcceptCall), "not a guid"));
        await Assert.ThrowsAsync<HubException>(() => raw.InvokeAsync(nameof(ISignalingHub.EndCall), Guid.NewGuid(), "no-such-reason"));
        await Assert.ThrowsAsync<HubException>(() => raw.InvokeAsync("NoSuchMethod"));
        await Assert.ThrowsAsync<HubException>(() => raw.InvokeAsync("OnConnectedAsync"));

        Assert.Equal(HubConnectionState.Connected, raw.State);
        Assert.False(string.IsNullOrEmpty(await raw.InvokeAsync<string>(nameof(ISignalingHub.GetConnectionId))));
    }
}
