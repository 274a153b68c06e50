using Peercall.Contracts.Calls;

namespace Peercall.Server.Tests.Infrastructure;

/// <summary>A caller and a callee with one device each, and a way to bring a call between them to any state.</summary>
public sealed class CallParties : IAsyncDisposable
{
    private CallParties(TestUser caller, TestUser callee, TestDevice callerPhone, TestDevice calleePhone)
    {
        Caller = caller;
        Callee = callee;
        CallerPhone = callerPhone;
        CalleePhone = calleePhone;
    }

    public TestUser Caller { get; }
    public TestUser Callee { get; }
    public TestDevice CallerPhone { get; }
    public TestDevice CalleePhone { get; }

    public static async Task<CallParties> ConnectAsync(PeercallServer server, string caller = "caller", string callee = "callee")
    {
        var callerUser = await server.SignUpAsync(caller);
        var calleeUser = await server.SignUpAsync(callee);
        return new CallParties(callerUser, calleeUser, await callerUser.ConnectAsync(), await calleeUser.ConnectAsync());
    }

    /// <summary>Places a call and waits until the callee's device rings.</summary>
    public async Task<Call> RingingAsync()
    {
        var call = await Caller.Api.PlaceCallAsync(new PlaceCallRequest(Callee.Id, CallMedia.Audio, CallerPhone.Id));
        await TestDevice.NextAsync(CalleePhone.Incoming, c => c.Id == call.Id);
        return call;
    }

    /// <summary>A ringing call answered on the callee's device, once the caller has heard of it.</summary>
    public async Task<Call> AcceptedAsync()
    {
        var call = await Callee.Api.AcceptCallAsync((await RingingAsync()).Id, CalleePhone.Id);
        await CallerPhone.StateAsync(call.Id, CallState.Accepted);
        return call;
    }

    /// <summary>Brings a new call to <paramref name="state"/> through the API, as the parties would.</summary>
    public async Task<Call> InStateAsync(CallState state)
    {
        var call = state switch
        {
            CallState.Ringing => await RingingAsync(),
            CallState.Accepted => await AcceptedAsync(),
            CallState.Declined => await Callee.Api.DeclineCallAsync((await RingingAsync()).Id),
            CallState.Cancelled => await Caller.Api.CancelCallAsync((await RingingAsync()).Id),
            CallState.Ended => await Caller.Api.EndCallAsync((await AcceptedAsync()).Id),
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Use the timeout or presence for these."),
        };
        Assert.Equal(state, call.State);
        if (state != CallState.Ringing && state != CallState.Accepted) await CallerPhone.StateAsync(call.Id, state);
        return call;
    }

    public async ValueTask DisposeAsync()
    {
        await CallerPhone.DisposeAsync();
        await CalleePhone.DisposeAsync();
    }
}
