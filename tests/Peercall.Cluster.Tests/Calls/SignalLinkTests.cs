using Peercall.Cluster.Tests.Infrastructure;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using StackExchange.Redis;

namespace Peercall.Cluster.Tests.Calls;

/// <summary>Each node sends and receives call signals on two Redis connections of its own (client names
/// <c>peercall-signals-out</c> and <c>peercall-signals</c>), each kept by a thread of its own rather than by
/// StackExchange.Redis.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SignalLinkTests(ClusterFixture cluster)
{
    private const string ListenerName = "peercall-signals", PublisherName = "peercall-signals-out";

    [Fact]
    public async Task Each_node_receives_signals_on_a_thread_at_real_time_priority_and_publishes_on_one_at_normal()
    {
        for (var number = 1; number <= ClusterFixture.NodeCount; number++)
        {
            var node = await cluster.RunningNodeAsync(number);
            // Linux keeps 15 characters of a thread's name: both link threads are "peercall-signal" there.
            var policies = ThreadScheduling.PoliciesOfThreads(node.ProcessId, "peercall-signal");

            // Where Linux allows it (root, as in CI), the listener is granted SCHED_FIFO; elsewhere it stays at
            // SCHED_OTHER and says so.
            var allowed = ThreadScheduling.RealtimeAllowed(node.ProcessId);
            Assert.Equal(allowed ? [ThreadScheduling.Other, ThreadScheduling.Fifo] : [ThreadScheduling.Other, ThreadScheduling.Other], policies);
            Assert.Contains(allowed ? $"{ListenerName} runs at real-time priority" : $"{ListenerName} runs at normal priority",
                node.LogText());
        }
    }

    [Fact]
    public async Task Signals_across_nodes_flow_again_after_redis_drops_the_nodes_signal_connections()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        await using var bob = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(2), "bob", alice);
        var call = await AcceptedCallAsync(alice, bob);

        await using (var admin = await ConnectionMultiplexer.ConnectAsync($"{cluster.Redis.ConnectionString},allowAdmin=true"))
        {
            var server = admin.GetServers().Single();
            var links = (await server.ClientListAsync()).Where(c => c.Name is ListenerName or PublisherName).ToList();
            Assert.True(links.Count(c => c.Name == ListenerName) >= 2 && links.Count(c => c.Name == PublisherName) >= 2,
                $"Expected both signal connections from each running node, found {string.Join(", ", links.Select(c => c.Name))}.");
            foreach (var link in links) await server.ClientKillAsync(id: link.Id, skipMe: false);
            Assert.DoesNotContain(await server.ClientListAsync(), c => links.Any(l => l.Id == c.Id));
        }

        // While node 1 reconnects, Alice's signal is refused with a message saying so; a signal published while
        // node 2 is away from its channel is lost, as with any Redis subscription. Her later ones must arrive.
        var attempt = 0;
        string? refusal = null;
        await Eventually.HoldsAsync(async () =>
        {
            var payload = $"v=0 offer, attempt {++attempt}";
            try
            {
                await alice.Device.SendSignal(new Signal(call.Id, SignalKind.Offer, payload));
            }
            catch (Exception e) when (e.Message.Contains(ProblemCodes.ServerError))
            {
                refusal = e.Message;
                return false;
            }
            return await Arrives(bob, call.Id, payload);
        }, TimeSpan.FromSeconds(15), "the nodes to connect their signal links again");
        if (refusal is not null) Assert.Contains("cannot reach right now", refusal);
        await bob.Device.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0 answer after the reconnection"));
        await alice.SignalAsync(call.Id, "v=0 answer after the reconnection", within: TimeSpan.FromSeconds(5));
        await alice.Device.EndCall(call.Id, CallReason.HungUp);
    }

    [Fact]
    public async Task Nodes_on_a_redis_that_requires_a_password_relay_signals_between_them()
    {
        await using var redis = await RedisServer.StartAsync(password: $"secret-{Guid.NewGuid():N}");
        var settings = new Dictionary<string, string>(cluster.Settings)
        {
            ["Peercall:Redis:ConnectionString"] = redis.ConnectionString,
            ["Peercall:Database:ConnectionString"] = await cluster.Postgres.CreateDatabaseAsync("peercall_redis_password"),
        };
        await using var node1 = await ServerNode.StartAsync("password-node-1", new Dictionary<string, string>(settings) { ["Peercall:Redis:NodeId"] = "password-1" });
        await using var node2 = await ServerNode.StartAsync("password-node-2", new Dictionary<string, string>(settings) { ["Peercall:Redis:NodeId"] = "password-2" });
        await using var alice = await Person.JoinAsync(cluster, node1, "alice");
        await using var bob = await Person.JoinAsync(cluster, node2, "bob", alice);
        var call = await AcceptedCallAsync(alice, bob);

        await alice.Device.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 offer through a guarded redis"));
        await bob.SignalAsync(call.Id, "v=0 offer through a guarded redis", within: TimeSpan.FromSeconds(5));
        await bob.Device.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0 answer through a guarded redis"));
        await alice.SignalAsync(call.Id, "v=0 answer through a guarded redis", within: TimeSpan.FromSeconds(5));

        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
        var links = (await admin.GetServers().Single().ClientListAsync()).Select(c => c.Name).ToList();
        Assert.Equal(2, links.Count(name => name == ListenerName));
        Assert.Equal(2, links.Count(name => name == PublisherName));
    }

    private static async Task<Call> AcceptedCallAsync(Person caller, Person callee)
    {
        var call = await caller.Device.PlaceCall(new PlaceCallRequest(callee.Id));
        await callee.IncomingCallAsync(call.Id);
        await callee.Device.AcceptCall(call.Id);
        await caller.CallStateAsync(call.Id, CallState.Accepted);
        return call;
    }

    private static async Task<bool> Arrives(Person person, Guid callId, string payload)
    {
        try
        {
            await person.SignalAsync(callId, payload, within: TimeSpan.FromMilliseconds(500));
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
