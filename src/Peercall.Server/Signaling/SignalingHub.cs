using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Calls;
using Peercall.Server.Hosting;
using Peercall.Server.Presence;

namespace Peercall.Server.Signaling;

/// <summary>The realtime channel. It is wiring only: presence and calls live in their services, which the REST
/// endpoints share; relaying a signal is the one thing done here. <see cref="HubGuard"/> holds every invocation
/// to the connection's message rate and turns refusals into hub errors.</summary>
[Authorize]
public sealed class SignalingHub(
    PresenceService presence,
    IServiceProvider services,
    SignalRelay relay,
    ICallBindings bindings,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<SignalingHub> logger) : Hub<ISignalingClient>, ISignalingHub
{
    // Resolved only by the methods that need it: a signal, the hot path, touches no database objects.
    private CallService Calls => services.GetRequiredService<CallService>();

    private Guid UserId => Context.User!.UserId();

    public override Task OnConnectedAsync()
    {
        Goodbye.KeepSocket(Context);
        return presence.ConnectedAsync(new RealtimeConnection(
            Context.ConnectionId, UserId, Context.User!.SessionId(), time.GetUtcNow().UtcDateTime, Context));
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        LogClosed(exception);
        if (await presence.DisconnectedAsync(Context.ConnectionId) is not { } connection) return;
        // A stopping single server leaves its calls to the recovery at the next start (ringing ones are missed,
        // accepted ones wait for their parties to resume them), instead of thousands of database checks on the
        // way out; on a cluster the other nodes carry on, so the calls are settled now.
        if (lifetime.ApplicationStopping.IsCancellationRequested && !bindings.OutliveThisNode) return;
        await Calls.ConnectionClosedAsync(connection, clean: Goodbye.Said(Context, exception));
    }

    public Task<string> GetConnectionId() => Task.FromResult(Context.ConnectionId);

    public Task Leaving()
    {
        Goodbye.Leaving(Context);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<UserPresence>> WatchPresence(IReadOnlyList<Guid> userIds) => presence.WatchAsync(Context, userIds);

    public Task<Call> PlaceCall(PlaceCallRequest request) =>
        Calls.PlaceAsync(UserId, (request ?? throw new PeercallException(400, ProblemCodes.BadRequest, "Give the call request: the callee's id."))
            with { ConnectionId = Context.ConnectionId });

    public Task<Call> AcceptCall(Guid callId) => Calls.AcceptAsync(UserId, callId, Context.ConnectionId);

    public Task<Call> DeclineCall(Guid callId) => Calls.DeclineAsync(UserId, callId, Context.ConnectionId);

    public Task<Call> CancelCall(Guid callId) => Calls.CancelAsync(UserId, callId);

    public Task<Call> EndCall(Guid callId, CallReason reason) => Calls.EndAsync(UserId, callId, reason, Context.ConnectionId);

    public Task<Call> InviteToCall(Guid callId, Guid userId) => Calls.InviteAsync(UserId, callId, userId, Context.ConnectionId);

    public Task<Call> ResumeCall(Guid callId) => Calls.ResumeAsync(UserId, callId, Context.ConnectionId);

    public Task SendSignal(Signal signal) => relay.RelayAsync(Context.ConnectionId, signal);

    /// <summary>One line per connection that ended badly, without a stack trace: a device that vanished is
    /// ordinary on a LAN, a client that broke the protocol is worth a warning. (SignalR's own error log of the
    /// same failure, with its stack, is switched off in appsettings.json.)</summary>
    private void LogClosed(Exception? exception)
    {
        if (exception is null) return;
        var level = exception is System.IO.InvalidDataException or ArgumentException or FormatException or System.Text.Json.JsonException
            ? LogLevel.Warning
            : LogLevel.Information;
        logger.Log(level, "Realtime connection {ConnectionId} of {UserId} closed: {Reason}",
            Context.ConnectionId, UserId, exception.GetBaseException().Message);
    }
}
