using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Peercall.Bench.Load;
using Peercall.Client;
using Peercall.Contracts.Accounts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;

namespace Peercall.Bench.Tests;

/// <summary>
/// The benchmark's load clients speak the hub protocol themselves. Here one user has two devices, one on the
/// lean client and one on the real SignalR client (<see cref="SignalingConnection"/>); both must receive the same
/// events, and the lean client's invocations must give the same results and errors as the real client's.
/// </summary>
public sealed class LeanHubConnectionTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TestServer _server = new();
    private readonly List<IAsyncDisposable> _disposables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables) await disposable.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Lean_and_real_clients_receive_the_same_events_and_results()
    {
        var alice = await _server.SignUpAsync("alice");
        var bob = await _server.SignUpAsync("bob");
        var carol = await _server.SignUpAsync("carol");

        var leanEvents = new RecordedRecords();
        var lean = await LeanHubConnection.ConnectAsync(leanEvents, IPAddress.Parse("127.0.0.2"), _server.Endpoint,
            alice.AccessToken, slot: 0, CancellationToken.None);
        var (real, realEvents) = await ConnectRealAsync(alice);
        Guid[] everyone = [alice.Id, bob.Id, carol.Id];
        var leanWatch = (await lean.InvokeAsync("WatchPresence", everyone)).Deserialize<UserPresence[]>(HubJson.Options);
        var realWatch = await real.WatchPresence(everyone);
        Assert.Equal([new(alice.Id, Presence.Online), new(bob.Id, Presence.Offline), new(carol.Id, Presence.Offline)], leanWatch!);
        Assert.Equal(realWatch, leanWatch);
        var (bobDevice, bobEvents) = await ConnectRealAsync(bob);
        await ConnectRealAsync(carol);

        // Presence: both of alice's devices hear bob and carol come online.
        await Eventually(() => leanEvents.Of<PresenceChange>("PresenceChanged").Count >= 2);
        await Eventually(() => realEvents.Of<PresenceChange>("PresenceChanged").Count >= 2);

        // Bob calls alice: both devices ring with the same call.
        var placed = await bobDevice.PlaceCall(new PlaceCallRequest(alice.Id));
        await Eventually(() => leanEvents.Of<Call>("IncomingCall").Count == 1 && realEvents.Of<Call>("IncomingCall").Count == 1);
        Assert.Equal(placed, leanEvents.Of<Call>("IncomingCall")[0]);

        // Alice answers on the lean device: its result is the call bob is told about.
        var accepted = (await lean.InvokeAsync("AcceptCall", placed.Id)).Deserialize<Call>(HubJson.Options);
        await Eventually(() => bobEvents.Of<CallStateChange>("CallStateChanged").Any(c => c.Call.State == CallState.Accepted));
        Assert.Equal(bobEvents.Of<CallStateChange>("CallStateChanged").Last().Call, accepted);
        await Eventually(() => leanEvents.Of<CallStateChange>("CallStateChanged").Count == 1
                               && realEvents.Of<CallStateChange>("CallStateChanged").Count == 1);
        Assert.Equal(CallReason.Answered, leanEvents.Of<CallStateChange>("CallStateChanged")[0].Reason);
        Assert.Equal(CallReason.AnsweredElsewhere, realEvents.Of<CallStateChange>("CallStateChanged")[0].Reason);
        Assert.Equal(leanEvents.Of<CallStateChange>("CallStateChanged")[0].Call, realEvents.Of<CallStateChange>("CallStateChanged")[0].Call);

        // Signals flow both ways between the lean device (bound to the call) and bob, marked with who sent them.
        var offer = new Signal(placed.Id, SignalKind.Offer, "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n");
        await bobDevice.SendSignal(offer);
        await Eventually(() => leanEvents.Of<Signal>("Signal").Count == 1);
        Assert.Equal(offer with { From = bob.Id, To = alice.Id }, leanEvents.Of<Signal>("Signal")[0]);
        var answer = new Signal(placed.Id, SignalKind.Answer, "v=0\r\nanswer");
        await lean.InvokeAsync("SendSignal", answer);
        await Eventually(() => bobEvents.Of<Signal>("Signal").Count == 1);
        Assert.Equal(answer with { From = alice.Id, To = bob.Id }, bobEvents.Of<Signal>("Signal")[0]);

        // The raw record the benchmark sends for load, acknowledged by a completion nobody awaits.
        var candidate = new Signal(placed.Id, SignalKind.Candidate, "t=1;k=2;candidate");
        lean.SendRecord(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            type = 1, invocationId = "r", target = "SendSignal", arguments = new object[] { candidate },
        }, HubJson.Options) + "\u001e"));
        await Eventually(() => bobEvents.Of<Signal>("Signal").Count == 2 && leanEvents.UnawaitedCompletions.Count == 1);
        Assert.Equal(candidate with { From = alice.Id, To = bob.Id }, bobEvents.Of<Signal>("Signal")[1]);
        Assert.DoesNotContain("error", leanEvents.UnawaitedCompletions.Single());

        // The same refusal reads the same on both clients.
        var stray = new Signal(Guid.NewGuid(), SignalKind.Offer, "x");
        var leanError = await Assert.ThrowsAsync<HubErrorException>(() => lean.InvokeAsync("SendSignal", stray));
        var realError = await Assert.ThrowsAnyAsync<HubException>(() => real.SendSignal(stray));
        // The real client may wrap the hub's error in a typed refusal; what came over the wire is the innermost.
        var wire = realError.InnerException as HubException ?? realError;
        Assert.Equal(wire.Message, leanError.Message);

        // Presence is the same sequence on both devices: bob and carol online, then both parties in a call.
        await Eventually(() => leanEvents.Of<PresenceChange>("PresenceChanged").Count >= 4
                               && realEvents.Of<PresenceChange>("PresenceChanged").Count >= 4);
        Assert.Equal(realEvents.Of<PresenceChange>("PresenceChanged"), leanEvents.Of<PresenceChange>("PresenceChanged"));
        Assert.Contains(leanEvents.Of<PresenceChange>("PresenceChanged"), p => p.UserId == alice.Id && p.Presence == Presence.InCall);

        lean.Close();
    }

    [Fact]
    public async Task A_refused_token_shows_the_servers_answer()
    {
        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => LeanHubConnection.ConnectAsync(
            new RecordedRecords(), IPAddress.Parse("127.0.0.2"), _server.Endpoint, "not-a-token", 0, CancellationToken.None));
        Assert.Equal(401, refused.Status);
    }

    private async Task<(SignalingConnection, RecordedRecords)> ConnectRealAsync(TestUser user)
    {
        var events = new RecordedRecords();
        var connection = new SignalingConnection(_server.BaseAddress, () => Task.FromResult<string?>(user.AccessToken));
        connection.PresenceChanged += c => events.Add("PresenceChanged", c);
        connection.IncomingCall += c => events.Add("IncomingCall", c);
        connection.CallStateChanged += c => events.Add("CallStateChanged", c);
        connection.SignalReceived += s => events.Add("Signal", s);
        await connection.StartAsync();
        _disposables.Add(connection);
        return (connection, events);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("The expected events did not arrive in time.");
            await Task.Delay(20);
        }
    }

    /// <summary>Events by hub method, from either client: the lean client's raw records are read back with the
    /// same JSON settings the hub writes them with, the real client's arrive as objects.</summary>
    private sealed class RecordedRecords : IConnectionListener
    {
        private readonly ConcurrentQueue<(string Target, object Value)> _events = new();

        public ConcurrentQueue<string> UnawaitedCompletions { get; } = new();

        public Task Add(string target, object value)
        {
            _events.Enqueue((target, value));
            return Task.CompletedTask;
        }

        public List<T> Of<T>(string target) => _events.Where(e => e.Target == target).Select(e => e.Value switch
        {
            JsonElement json => json.Deserialize<T>(HubJson.Options)!,
            var value => (T)value,
        }).ToList();

        public void OnMessage(LoadConnection connection, ReadOnlySpan<byte> message)
        {
            using var record = JsonDocument.Parse(message.ToArray());
            var root = record.RootElement;
            _events.Enqueue((root.GetProperty("target").GetString()!, root.GetProperty("arguments")[0].Clone()));
        }

        public void OnUnawaitedCompletion(LoadConnection connection, ReadOnlySpan<byte> record) =>
            UnawaitedCompletions.Enqueue(Encoding.UTF8.GetString(record));

        public void OnClosed(LoadConnection connection, string reason)
        {
        }
    }
}
