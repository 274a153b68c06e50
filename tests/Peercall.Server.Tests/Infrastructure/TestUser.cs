using System.Collections.Concurrent;
using System.Threading.Channels;
using Peercall.Client;
using Peercall.Contracts.Accounts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;

namespace Peercall.Server.Tests.Infrastructure;

public sealed record TestUser(PeercallServer Server, PeercallApi Api, UserProfile Profile, string Password)
{
    public Guid Id => Profile.Id;

    /// <summary>Opens one more realtime connection (one more device) for this user.</summary>
    public async Task<TestDevice> ConnectAsync()
    {
        var device = new TestDevice(new SignalingConnection(Server.BaseAddress, () => Api.GetAccessTokenAsync()));
        await device.Connection.StartAsync();
        return device;
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
            return Task.CompletedTask;
        };
    }

    public SignalingConnection Connection { get; }
    public string Id => Connection.ConnectionId!;
    public Channel<PresenceChange> Presence { get; } = Channel.CreateUnbounded<PresenceChange>();
    public Channel<Call> Incoming { get; } = Channel.CreateUnbounded<Call>();
    public Channel<CallStateChange> States { get; } = Channel.CreateUnbounded<CallStateChange>();
    public Channel<Signal> Signals { get; } = Channel.CreateUnbounded<Signal>();
    public TaskCompletionSource<Exception?> ClosedWith { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
            await NextAsync(channel, match, window ?? TimeSpan.FromMilliseconds(500));
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

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
