using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Peercall.Client;
using Peercall.Contracts.Accounts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;

namespace Peercall.Server.Tests.Infrastructure;

public sealed record TestUser(PeercallServer Server, PeercallApi Api, UserProfile Profile, string Password)
{
    public Guid Id => Profile.Id;
    public string Username => Profile.Username;

    /// <summary>The current access token of this sign-in session, as a client would send it.</summary>
    public string AccessToken => Api.Session!.AccessToken;

    /// <summary>Opens one more realtime connection (one more device) for this user.</summary>
    /// <param name="reconnect">False for a connection that stays closed once closed, so that
    /// <see cref="TestDevice.ClosedWith"/> completes.</param>
    public async Task<TestDevice> ConnectAsync(bool reconnect = true)
    {
        var device = new TestDevice(new SignalingConnection(Server.BaseAddress, () => Api.GetAccessTokenAsync(),
            retryPolicy: reconnect ? null : new NeverReconnect()));
        await device.Connection.StartAsync();
        return device;
    }

    /// <summary>Signs the same user in again: a second, independent sign-in session, as on another device.</summary>
    public async Task<TestUser> SignInAgainAsync()
    {
        var api = Server.NewApi();
        await api.LoginAsync(new LoginRequest(Username, Password));
        return this with { Api = api };
    }

    /// <summary>The same user, still signed in with the same tokens, talking to <paramref name="server"/>: a
    /// restarted server, say.</summary>
    public TestUser On(PeercallServer server)
    {
        var api = server.NewApi();
        api.RestoreSession(Api.Session);
        return this with { Server = server, Api = api };
    }

    private sealed class NeverReconnect : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => null;
    }
}

/// <summary>A realtime connection that records every event it receives, to be awaited with a timeout.</summary>
public sealed class TestDevice : IAsyncDisposable
{
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(5);

    public TestDevice(SignalingConnection connection)
    {
        Connection = connection;
        connection.PresenceChanged += e => Record(Presence, e);
        connection.IncomingCall += e => Record(Incoming, e);
        connection.CallStateChanged += e => Record(States, e);
        connection.SignalReceived += e => Record(Signals, e);
        connection.Closed += e =>
        {
            ClosedWith.TrySetResult(e);
            Lost.TrySetResult(e);
            return Task.CompletedTask;
        };
        connection.Reconnecting += e =>
        {
            Lost.TrySetResult(e);
            return Task.CompletedTask;
        };
        connection.Reconnected += id => Record(Reconnected, id);
    }

    public SignalingConnection Connection { get; }
    public string Id => Connection.ConnectionId!;
    public Channel<PresenceChange> Presence { get; } = Channel.CreateUnbounded<PresenceChange>();
    public Channel<Call> Incoming { get; } = Channel.CreateUnbounded<Call>();
    public Channel<CallStateChange> States { get; } = Channel.CreateUnbounded<CallStateChange>();
    public Channel<Signal> Signals { get; } = Channel.CreateUnbounded<Signal>();
    public TaskCompletionSource<Exception?> ClosedWith { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the connection is lost, whether it then closes or starts reconnecting.</summary>
    public TaskCompletionSource<Exception?> Lost { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The new connection id after each automatic reconnect.</summary>
    public Channel<string?> Reconnected { get; } = Channel.CreateUnbounded<string?>();

    public static async Task<T> NextAsync<T>(Channel<T> channel, Func<T, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? EventTimeout);
        try
        {
            while (true)
            {
                var item = await channel.Reader.ReadAsync(cts.Token);
                if (match is null || match(item)) return item;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching {typeof(T).Name} arrived within {(timeout ?? EventTimeout).TotalSeconds} s.");
        }
    }

    /// <summary>True when nothing matching arrives within <paramref name="window"/>.</summary>
    public static async Task<bool> NothingAsync<T>(Channel<T> channel, Func<T, bool>? match = null, TimeSpan? window = null)
    {
        try
        {
            await NextAsync(channel, match, window ?? TimeSpan.FromMilliseconds(300));
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    /// <summary>Watches these users' presence (replacing the ones watched before), as a contact list on screen does.</summary>
    public Task<IReadOnlyList<UserPresence>> WatchAsync(params TestUser[] users) =>
        Connection.WatchPresence([.. users.Select(u => u.Id)]);

    public Task<PresenceChange> PresenceAsync(Guid userId, Contracts.Contacts.Presence presence) =>
        NextAsync(Presence, p => p.UserId == userId && p.Presence == presence);

    public Task<Call> IncomingAsync() => NextAsync(Incoming);

    public Task<CallStateChange> StateAsync(Guid callId, CallState state) =>
        NextAsync(States, s => s.Call.Id == callId && s.Call.State == state);

    public Task<Signal> SignalAsync() => NextAsync(Signals);

    private static Task Record<T>(Channel<T> channel, T item)
    {
        channel.Writer.TryWrite(item);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
