using System.Collections.Concurrent;
using Peercall.Client;
using Peercall.Contracts.Accounts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Cluster.Tests.Infrastructure;

/// <summary>A signed-in user with one device connected to one node, recording every realtime event it gets.</summary>
public sealed class Person : IAsyncDisposable
{
    private readonly string _password;
    private readonly List<Guid> _watched = [];
    private readonly ConcurrentQueue<PresenceChange> _presence = new();
    private readonly ConcurrentQueue<Call> _incoming = new();
    private readonly ConcurrentQueue<CallStateChange> _states = new();
    private readonly ConcurrentQueue<Signal> _signals = new();

    private Person(UserProfile profile, string password)
    {
        Profile = profile;
        _password = password;
    }

    public UserProfile Profile { get; }
    public Guid Id => Profile.Id;
    public PeercallApi Api { get; private set; } = null!;
    public SignalingConnection Device { get; private set; } = null!;
    public ServerNode Node { get; private set; } = null!;

    public IReadOnlyCollection<PresenceChange> PresenceSeen => _presence;
    public IReadOnlyCollection<Call> IncomingCalls => _incoming;
    public IReadOnlyCollection<CallStateChange> CallStates => _states;
    public IReadOnlyCollection<Signal> Signals => _signals;

    /// <summary>Registers on <paramref name="node"/>, signs in there and connects a device to it. The people
    /// already there watch the newcomer before it connects, and it watches them, as their contact lists would.</summary>
    public static Task<Person> JoinAsync(ClusterFixture cluster, ServerNode node, string name, params Person[] others) =>
        RegisterAndConnectAsync(node, cluster.UniqueName(name), name, others);

    /// <summary>As <see cref="JoinAsync(ClusterFixture, ServerNode, string, Person[])"/>, on a node of no cluster,
    /// with a username the caller made unique.</summary>
    public static Task<Person> JoinAsync(ServerNode node, string username, params Person[] others) =>
        RegisterAndConnectAsync(node, username, username, others);

    private static async Task<Person> RegisterAndConnectAsync(ServerNode node, string username, string name, Person[] others)
    {
        const string password = "correct horse battery";
        var profile = await new PeercallApi(node.NewHttpClient()).RegisterAsync(new RegisterRequest(username, password, name));
        var person = new Person(profile, password);
        foreach (var other in others) await other.WatchAsync(person);
        person._watched.AddRange(others.Select(o => o.Id));
        await person.ConnectToAsync(node);
        return person;
    }

    /// <summary>Adds people to those whose presence changes this person's device receives.</summary>
    public async Task WatchAsync(params Person[] people)
    {
        _watched.AddRange(people.Select(p => p.Id));
        await Device.WatchPresence(_watched);
    }

    /// <summary>Signs in on <paramref name="node"/> and connects a new device there, leaving the old one (if any)
    /// to whatever happened to it.</summary>
    public async Task ConnectToAsync(ServerNode node)
    {
        Node = node;
        Api = new PeercallApi(node.NewHttpClient());
        await Api.LoginAsync(new LoginRequest(Profile.Username, _password));
        var device = new SignalingConnection(node.BaseAddress, () => Api.GetAccessTokenAsync(), retryPolicy: new NoRetries());
        device.PresenceChanged += c => Record(_presence, c);
        device.IncomingCall += c => Record(_incoming, c);
        device.CallStateChanged += c => Record(_states, c);
        device.SignalReceived += s => Record(_signals, s);
        await device.StartAsync();
        await device.WatchPresence(_watched);
        Device = device;
    }

    /// <summary>Another device of the same sign-in session, connected to <paramref name="node"/>; it records
    /// nothing.</summary>
    public async Task<SignalingConnection> ConnectAnotherDeviceAsync(ServerNode node)
    {
        var device = new SignalingConnection(node.BaseAddress, () => Api.GetAccessTokenAsync(), retryPolicy: new NoRetries());
        await device.StartAsync();
        return device;
    }

    public Task<PresenceChange> PresenceOfAsync(Guid userId, PresenceState presence, TimeSpan? within = null) =>
        Eventually.FindAsync(_presence, c => c.UserId == userId && c.Presence == presence, within,
            $"{Profile.Username} to see {userId} become {presence}");

    public Task<Call> IncomingCallAsync(Guid callId, TimeSpan? within = null) =>
        Eventually.FindAsync(_incoming, c => c.Id == callId, within, $"{Profile.Username} to be rung for call {callId}");

    public Task<CallStateChange> CallStateAsync(Guid callId, CallState state, TimeSpan? within = null) =>
        Eventually.FindAsync(_states, c => c.Call.Id == callId && c.Call.State == state, within,
            $"{Profile.Username} to see call {callId} become {state}");

    public Task<Signal> SignalAsync(Guid callId, string payload, TimeSpan? within = null) =>
        Eventually.FindAsync(_signals, s => s.CallId == callId && s.Payload == payload, within,
            $"{Profile.Username} to receive the signal '{payload}'");

    /// <summary>What <paramref name="userId"/>'s presence is in this person's contact list right now.</summary>
    public async Task<PresenceState> ListedPresenceOfAsync(Guid userId)
    {
        var contacts = await Api.GetContactsAsync(pageSize: 200);
        return contacts.Items.Single(c => c.Id == userId).Presence;
    }

    private static Task Record<T>(ConcurrentQueue<T> queue, T value)
    {
        queue.Enqueue(value);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (Device is not null) await Device.DisposeAsync();
    }

    /// <summary>The tests decide when a device reconnects, and to which node.</summary>
    private sealed class NoRetries : Microsoft.AspNetCore.SignalR.Client.IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(Microsoft.AspNetCore.SignalR.Client.RetryContext retryContext) => null;
    }
}
