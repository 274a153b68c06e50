using Peercall.Client;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;
using Peercall.Web.Accounts;
using Peercall.Web.Shared;

namespace Peercall.Web.Signaling;

public enum RealtimeStatus { Stopped, Connecting, Connected, Reconnecting }

/// <summary>
/// The app's one realtime connection, open while someone is signed in. It re-raises the hub's events for the
/// features, and raises <see cref="Connected"/> after the first connect and after every reconnect so they can
/// re-read what they may have missed.
/// </summary>
public sealed class RealtimeConnection : ILiveState
{
    private static readonly TimeSpan[] StartDelays =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)];

    private readonly PeercallApi _api;
    private readonly Uri _baseAddress;
    private SignalingConnection? _connection;
    private CancellationTokenSource? _stopping;

    public RealtimeConnection(PeercallApi api, AccountSession account)
    {
        _api = api;
        _baseAddress = api.Http.BaseAddress ?? throw new InvalidOperationException("The API needs a base address.");
        account.SignedInOrOut += () => account.IsSignedIn ? StartAsync() : StopAsync();
        account.SigningOut += StopAsync;
    }

    public RealtimeStatus Status { get; private set; }

    /// <summary>While connecting fails: the server's reason, when it refuses this account a connection (the code of
    /// a <see cref="Peercall.Contracts.Problem"/>, such as too-many-connections); null otherwise.</summary>
    public string? RefusedBecause { get; private set; }
    public string? ConnectionId => _connection?.ConnectionId;

    public event Action? Changed;
    public event Func<Task>? Connected;

    /// <summary>Raised before the connection is closed on purpose (signing out), while it still works.</summary>
    public event Func<Task>? Stopping;

    public event Func<PresenceChange, Task>? PresenceChanged;
    public event Func<Contact, Task>? ContactAdded;
    public event Func<Call, Task>? IncomingCall;
    public event Func<CallStateChange, Task>? CallStateChanged;
    public event Func<Signal, Task>? SignalReceived;

    /// <summary>Connects, retrying with growing pauses until it succeeds or the person signs out.</summary>
    public async Task StartAsync()
    {
        if (_connection is not null) return;
        var stopping = _stopping = new CancellationTokenSource();
        var connection = _connection = new SignalingConnection(_baseAddress, () => _api.GetAccessTokenAsync());
        connection.PresenceChanged += c => Raise(PresenceChanged, c);
        connection.ContactAdded += c => Raise(ContactAdded, c);
        connection.IncomingCall += c => Raise(IncomingCall, c);
        connection.CallStateChanged += c => Raise(CallStateChanged, c);
        connection.SignalReceived += s => Raise(SignalReceived, s);
        connection.Reconnecting += _ =>
        {
            SetStatus(RealtimeStatus.Reconnecting);
            return Task.CompletedTask;
        };
        connection.Reconnected += _ => OnConnectedAsync();
        connection.Closed += _ => stopping.IsCancellationRequested ? Task.CompletedTask : RestartAsync(connection);

        SetStatus(RealtimeStatus.Connecting);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await connection.StartAsync(stopping.Token);
                break;
            }
            catch (Exception) when (!stopping.IsCancellationRequested)
            {
                // Unreachable server, refused WebSocket, expired token (refreshed on the next try): all retried.
                // A browser is not told why a WebSocket was refused, so the server is asked.
                await LearnRefusalAsync(stopping.Token);
                SetStatus(RealtimeStatus.Reconnecting);
                var delay = StartDelays[Math.Min(attempt, StartDelays.Length - 1)];
                try
                {
                    await Task.Delay(delay, stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (Exception)
            {
                return;
            }
        }
        await OnConnectedAsync();
    }

    public async Task StopAsync()
    {
        if (_connection is not null) await Raise(Stopping);
        var connection = _connection;
        _connection = null;
        _stopping?.Cancel();
        if (connection is not null)
        {
            try
            {
                await connection.StopAsync();
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
        SetStatus(RealtimeStatus.Stopped);
    }

    public Task SendSignalAsync(Signal signal) =>
        _connection?.SendSignal(signal) ?? throw new InvalidOperationException("Not connected.");

    /// <summary>Watches these users' presence instead of the ones watched before; returns their presence now, or
    /// null while not connected (<see cref="Connected"/> follows, and its handlers watch again).</summary>
    public async Task<IReadOnlyList<UserPresence>?> WatchPresenceAsync(IReadOnlyList<Guid> userIds) =>
        _connection is { State: Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected } connection
            ? await connection.WatchPresence(userIds)
            : null;

    /// <summary>Binds an accepted call to this connection after a reconnect.</summary>
    public Task<Call> ResumeCallAsync(Guid callId) =>
        _connection?.ResumeCall(callId) ?? throw new InvalidOperationException("Not connected.");

    private async Task RestartAsync(SignalingConnection closed)
    {
        if (_connection != closed) return;
        _connection = null;
        await closed.DisposeAsync();
        await StartAsync();
    }

    private async Task LearnRefusalAsync(CancellationToken ct)
    {
        string? refusal;
        try
        {
            refusal = (await _api.GetRealtimeRefusalAsync(ct))?.Code;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            refusal = null;
        }
        if (refusal == RefusedBecause) return;
        RefusedBecause = refusal;
        Changed?.Invoke();
    }

    private async Task OnConnectedAsync()
    {
        RefusedBecause = null;
        SetStatus(RealtimeStatus.Connected);
        await Raise(Connected);
    }

    private void SetStatus(RealtimeStatus status)
    {
        if (Status == status) return;
        Status = status;
        Changed?.Invoke();
    }

    private static Task Raise(Func<Task>? handlers) => handlers is null
        ? Task.CompletedTask
        : Task.WhenAll(handlers.GetInvocationList().Cast<Func<Task>>().Select(h => h()));

    private static Task Raise<T>(Func<T, Task>? handlers, T value) => handlers is null
        ? Task.CompletedTask
        : Task.WhenAll(handlers.GetInvocationList().Cast<Func<T, Task>>().Select(h => h(value)));
}
