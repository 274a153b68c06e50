using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Calls;
using Peercall.Server.Hosting;
using Peercall.Server.Presence;
using Peercall.Server.Realtime;

namespace Peercall.Server.Signaling;

/// <summary>The realtime channel's methods (<see cref="ISignalingHub"/>). It is wiring only: presence and calls live
/// in their services, which the REST endpoints share; relaying a signal is the one thing done here. Every
/// invocation is held to the connection's message budget, and refusals become errors that start with their stable
/// code ("code: message"); unexpected failures are logged, not shown.</summary>
public sealed class SignalingHub : IHubDispatcher
{
    private readonly PresenceService _presence;
    private readonly IServiceScopeFactory _scopes;
    private readonly ICallBindings _bindings;
    private readonly LocalConnections _local;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ActivityMeter _activity;
    private readonly ILogger<SignalingHub> _logger;
    private readonly Dictionary<string, HubMethod> _methods;

    public SignalingHub(PresenceService presence, IServiceScopeFactory scopes, SignalRelay relay, ICallBindings bindings,
        LocalConnections local, IHostApplicationLifetime lifetime, TimeProvider time, ActivityMeter activity, ILogger<SignalingHub> logger)
    {
        (_presence, _scopes, _bindings, _local, _lifetime, _time, _activity, _logger) =
            (presence, scopes, bindings, local, lifetime, time, activity, logger);
        _methods = new[]
        {
            HubMethod.Of(nameof(ISignalingHub.GetConnectionId), caller => Task.FromResult(caller.Id)),
            HubMethod.Of<IReadOnlyList<Guid>, IReadOnlyList<UserPresence>>(nameof(ISignalingHub.WatchPresence),
                (caller, userIds) => presence.WatchAsync(caller.Id, userIds)),
            HubMethod.Of<PlaceCallRequest, Call>(nameof(ISignalingHub.PlaceCall),
                (caller, request) => WithCalls(calls => calls.PlaceAsync(caller.UserId, (request ?? throw NoRequest()) with { ConnectionId = caller.Id }))),
            HubMethod.Of<Guid, Call>(nameof(ISignalingHub.AcceptCall),
                (caller, callId) => WithCalls(calls => calls.AcceptAsync(caller.UserId, callId, caller.Id))),
            HubMethod.Of<Guid, Call>(nameof(ISignalingHub.DeclineCall),
                (caller, callId) => WithCalls(calls => calls.DeclineAsync(caller.UserId, callId, caller.Id))),
            HubMethod.Of<Guid, Call>(nameof(ISignalingHub.CancelCall),
                (caller, callId) => WithCalls(calls => calls.CancelAsync(caller.UserId, callId))),
            HubMethod.Of<Guid, CallReason, Call>(nameof(ISignalingHub.EndCall),
                (caller, callId, reason) => WithCalls(calls => calls.EndAsync(caller.UserId, callId, reason, caller.Id))),
            HubMethod.Of<Guid, Call>(nameof(ISignalingHub.ResumeCall),
                (caller, callId) => WithCalls(calls => calls.ResumeAsync(caller.UserId, callId, caller.Id))),
            HubMethod.Action<RelayedSignal>(nameof(ISignalingHub.SendSignal), (caller, signal) => relay.RelayAsync(caller.Id, signal)),
        }.ToDictionary(m => m.Name, StringComparer.OrdinalIgnoreCase);
    }

    public HubMethod? Find(string name) => _methods.GetValueOrDefault(name);

    public async Task OnConnectedAsync(HubSession session)
    {
        _local.Add(session);
        await _presence.ConnectedAsync(new RealtimeConnection(
            session.Id, session.UserId, session.SessionId, _time.GetUtcNow().UtcDateTime, session));
    }

    public async Task OnDisconnectedAsync(HubSession session, Exception? error)
    {
        _local.Remove(session);
        try
        {
            if (await _presence.DisconnectedAsync(session.Id) is not { } connection) return;
            // A stopping single server leaves its calls to the recovery at the next start (ringing ones are
            // missed, accepted ones wait for their parties to resume them), instead of thousands of database checks
            // on the way out; on a cluster the other nodes carry on, so the calls are settled now.
            if (_lifetime.ApplicationStopping.IsCancellationRequested && !_bindings.OutliveThisNode) return;
            await WithCalls(calls => calls.ConnectionClosedAsync(connection, clean: error is null));
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A closed realtime connection could not be settled");
        }
    }

    public async Task<object?> InvokeAsync(HubSession caller, HubMethod method, object?[] arguments)
    {
        _activity.Handled();
        if (!caller.Budget.TrySpend())
            throw new HubMethodException($"{ProblemCodes.TooManyMessages}: Too many messages on this connection; slow down.");
        try
        {
            return await method.InvokeAsync(caller, arguments);
        }
        catch (PeercallException e)
        {
            throw new HubMethodException($"{e.Code}: {e.Message}");
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Hub method {Method} failed", method.Name);
            throw new HubMethodException($"{ProblemCodes.ServerError}: Something went wrong on the server. The error has been logged.");
        }
    }

    /// <summary>Call actions use the database, so each gets a scope of its own; a signal, the hot path, needs none.</summary>
    private async Task<T> WithCalls<T>(Func<CallService, Task<T>> action)
    {
        await using var scope = _scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<CallService>());
    }

    private async Task WithCalls(Func<CallService, Task> action)
    {
        await using var scope = _scopes.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<CallService>());
    }

    private static PeercallException NoRequest() =>
        new(400, ProblemCodes.BadRequest, "Give the call request: the callee's id.");
}
