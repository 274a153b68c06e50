using Npgsql;
using Peercall.Contracts.Calls;
using Peercall.Cluster.Tests.Infrastructure;

namespace Peercall.Cluster.Tests.Calls;

/// <summary>Every node runs the ring-timeout sweep; the conditional transition lets exactly one of them win.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RingTimeoutAcrossNodesTests(ClusterFixture cluster)
{
    [Fact]
    public async Task An_unanswered_call_is_missed_exactly_once_with_every_node_sweeping()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        await using var bob = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(2), "bob", alice);
        await using var bobsTablet = await bob.ConnectAnotherDeviceAsync(await cluster.RunningNodeAsync(3));
        var tabletMissed = 0;
        bobsTablet.CallStateChanged += change =>
        {
            if (change.Call.State == CallState.Missed) Interlocked.Increment(ref tabletMissed);
            return Task.CompletedTask;
        };

        var call = await alice.Device.PlaceCall(new PlaceCallRequest(bob.Id));
        await bob.IncomingCallAsync(call.Id);

        var missed = await alice.CallStateAsync(call.Id, CallState.Missed, within: ClusterFixture.RingTimeout + TimeSpan.FromSeconds(5));
        Assert.Equal(CallReason.NoAnswer, missed.Reason);
        await bob.CallStateAsync(call.Id, CallState.Missed);
        // Every node sweeps four times a second: give the others several chances to move it a second time.
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Single(alice.CallStates, c => c.Call.Id == call.Id && c.Call.State == CallState.Missed);
        Assert.Single(bob.CallStates, c => c.Call.Id == call.Id && c.Call.State == CallState.Missed);
        Assert.Equal(1, tabletMissed);

        var transitions = new List<string>();
        for (var number = 1; number <= ClusterFixture.NodeCount; number++)
            transitions.AddRange(TransitionsLogged(cluster.Node(number), call.Id));
        Assert.Single(transitions, line => line.Contains("-> Missed"));

        await using var db = new NpgsqlConnection(cluster.DatabaseConnectionString);
        await db.OpenAsync();
        await using var stored = new NpgsqlCommand(
            "SELECT \"State\", \"Reason\", \"EndedAt\" FROM \"Calls\" WHERE \"Id\" = @id", db);
        stored.Parameters.AddWithValue("id", call.Id);
        await using var row = await stored.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal("Missed", row.GetString(0));
        Assert.Equal("NoAnswer", row.GetString(1));
        Assert.Equal(missed.Call.EndedAt!.Value.UtcDateTime, row.GetDateTime(2), TimeSpan.FromMilliseconds(1));
    }

    /// <summary>The server logs each transition it made, after its conditional update succeeded.</summary>
    private static IEnumerable<string> TransitionsLogged(ServerNode node, Guid callId)
    {
        using var stream = new FileStream(node.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var lines = new StreamReader(stream).ReadToEnd().Split('\n');
        return lines.Where(l => l.Contains($"Call {callId} ") && l.Contains(" -> ")).ToList();
    }
}
