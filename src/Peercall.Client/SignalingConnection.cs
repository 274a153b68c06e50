using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;

namespace Peercall.Client;

/// <summary>
/// The realtime side of Peercall: a typed wrapper over the SignalR connection to <see cref="SignalingRoutes.Hub"/>.
/// It speaks WebSockets only and skips negotiation, so any server node can take the connection, and it
/// reconnects by itself with backoff, forever.
/// </summary>
public sealed class SignalingConnection : ISignalingHub, IAsyncDisposable
{
    private static readonly TimeSpan LeavingTimeout = TimeSpan.FromSeconds(2);
    private readonly HubConnection _hub;

    public SignalingConnection(Uri serverBaseAddress, Func<Task<string?>> accessTokenProvider,
        Action<HttpConnectionOptions>? configureHttp = null, IRetryPolicy? retryPolicy = null)
    {
        _hub = new HubConnectionBuilder()
            .WithUrl(new Uri(serverBaseAddress, SignalingRoutes.Hub.TrimStart('/')), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = accessTokenProvider;
                configureHttp?.Invoke(options);
            })
            .WithAutomaticReconnect(retryPolicy ?? new BackoffRetryPolicy())
            .Build();
        _hub.ServerTimeout = RealtimeKeepAlive.Timeout;
        _hub.KeepAliveInterval = RealtimeKeepAlive.Interval;

        _hub.On<PresenceChange>(nameof(ISignalingClient.PresenceChanged), c => Raise(PresenceChanged, c));
        _hub.On<Contact>(nameof(ISignalingClient.ContactAdded), c => Raise(ContactAdded, c));
        _hub.On<Call>(nameof(ISignalingClient.IncomingCall), c => Raise(IncomingCall, c));
        _hub.On<CallStateChange>(nameof(ISignalingClient.CallStateChanged), c => Raise(CallStateChanged, c));
        _hub.On<Signal>(nameof(ISignalingClient.Signal), s => Raise(SignalReceived, s));
        _hub.Reconnecting += e => Raise(Reconnecting, e);
        _hub.Reconnected += async _ =>
        {
            ConnectionId = await GetConnectionId();
            await Raise(Reconnected, ConnectionId);
        };
        _hub.Closed += e => Raise(Closed, e);
    }

    public event Func<PresenceChange, Task>? PresenceChanged;
    public event Func<Contact, Task>? ContactAdded;
    public event Func<Call, Task>? IncomingCall;
    public event Func<CallStateChange, Task>? CallStateChanged;
    public event Func<Signal, Task>? SignalReceived;
    public event Func<Exception?, Task>? Reconnecting;
    public event Func<string?, Task>? Reconnected;
    public event Func<Exception?, Task>? Closed;

    /// <summary>This connection's id on the server, known once started; it changes on every reconnect.</summary>
    public string? ConnectionId { get; private set; }
    public HubConnectionState State => _hub.State;

    public async Task StartAsync(CancellationToken ct = default)
    {
        await _hub.StartAsync(ct);
        ConnectionId = await GetConnectionId();
    }

    public Task<string> GetConnectionId() => InvokeAsync<string>(nameof(ISignalingHub.GetConnectionId));
    /// <summary>Closes the connection on purpose: the server ends this device's calls at once instead of
    /// waiting for it to come back.</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        await SayLeavingAsync();
        await _hub.StopAsync(ct);
    }

    public Task Leaving() => InvokeAsync<object?>(nameof(ISignalingHub.Leaving));

    /// <inheritdoc cref="ISignalingHub.WatchPresence"/>
    public Task<IReadOnlyList<UserPresence>> WatchPresence(IReadOnlyList<Guid> userIds) =>
        InvokeAsync<IReadOnlyList<UserPresence>>(nameof(ISignalingHub.WatchPresence), userIds);

    public Task<Call> PlaceCall(PlaceCallRequest request) => InvokeAsync<Call>(nameof(ISignalingHub.PlaceCall), request);

    public Task<Call> AcceptCall(Guid callId) => InvokeAsync<Call>(nameof(ISignalingHub.AcceptCall), callId);
    public Task<Call> DeclineCall(Guid callId) => InvokeAsync<Call>(nameof(ISignalingHub.DeclineCall), callId);
    public Task<Call> CancelCall(Guid callId) => InvokeAsync<Call>(nameof(ISignalingHub.CancelCall), callId);

    public Task<Call> EndCall(Guid callId, CallReason reason) =>
        InvokeAsync<Call>(nameof(ISignalingHub.EndCall), callId, reason);

    public Task<Call> InviteToCall(Guid callId, Guid userId) =>
        InvokeAsync<Call>(nameof(ISignalingHub.InviteToCall), callId, userId);

    public Task<Call> ResumeCall(Guid callId) => InvokeAsync<Call>(nameof(ISignalingHub.ResumeCall), callId);

    public Task SendSignal(Signal signal) => InvokeAsync<object?>(nameof(ISignalingHub.SendSignal), signal);

    /// <summary>Closes the connection on purpose, as <see cref="StopAsync"/> does.</summary>
    public async ValueTask DisposeAsync()
    {
        await SayLeavingAsync();
        await _hub.DisposeAsync();
    }

    private async Task SayLeavingAsync()
    {
        if (_hub.State != HubConnectionState.Connected) return;
        try
        {
            await Leaving().WaitAsync(LeavingTimeout);
        }
        catch (Exception)
        {
            // Best effort: the close frame that follows says the same, unless it is lost with the connection.
        }
    }

    /// <summary>Invokes a hub method; a refusal from the server surfaces as a <see cref="PeercallHubException"/>.</summary>
    private async Task<T> InvokeAsync<T>(string method, params object?[] args)
    {
        try
        {
            return (T)(await _hub.InvokeCoreAsync(method, typeof(T), args))!;
        }
        catch (HubException e) when (PeercallHubException.From(e) is { } refusal)
        {
            throw refusal;
        }
    }

    private static Task Raise<T>(Func<T, Task>? handlers, T value) => handlers is null
        ? Task.CompletedTask
        : Task.WhenAll(handlers.GetInvocationList().Cast<Func<T, Task>>().Select(h => h(value)));
}

/// <summary>Retries at 0, 1, 2, 5 s and then every 10 s, never giving up; a little jitter spreads a reconnect
/// storm after a server restart.</summary>
public sealed class BackoffRetryPolicy : IRetryPolicy
{
    private static readonly TimeSpan[] Steps = [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2),
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)];

    public TimeSpan? NextRetryDelay(RetryContext context)
    {
        var step = Steps[(int)Math.Min(context.PreviousRetryCount, Steps.Length - 1)];
        return step + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250));
    }
}
