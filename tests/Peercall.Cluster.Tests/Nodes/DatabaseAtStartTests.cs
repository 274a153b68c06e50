using System.Diagnostics;
using Npgsql;
using Peercall.Cluster.Tests.Infrastructure;

namespace Peercall.Cluster.Tests.Nodes;

/// <summary>A node and its PostgreSQL are started by the same script or after the same power cut, in no particular
/// order: a node waits for a database it cannot reach yet, and says plainly why it stops when it cannot use it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DatabaseAtStartTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_node_started_before_its_database_waits_for_it_and_then_serves()
    {
        var port = FreePort.Next();
        var name = NodeName("early");
        var starting = ServerNode.StartAsync(name, WithDatabase(Unreachable(port)));

        await Eventually.HoldsAsync(() => Task.FromResult(ServerNode.LogsOf(name).Contains("The database cannot be reached yet")),
            TimeSpan.FromSeconds(60), "the node to say that it waits for its database");
        await using var postgres = await PostgresServer.StartAsync(port);
        await using var node = await starting;

        using var http = node.NewHttpClient();
        Assert.Equal("Healthy", await http.GetStringAsync("healthz"));
        // Waiting is said in warnings, and migrating an empty database is no error: EF Core's failed connections and
        // its read of the migrations table before it exists are not in the log as errors.
        Assert.DoesNotContain("fail:", ServerNode.LogsOf(name));
    }

    [Fact]
    public async Task A_node_that_cannot_reach_its_database_stops_after_the_startup_wait_and_says_why()
    {
        var name = NodeName("stranded");
        var settings = WithDatabase(Unreachable(FreePort.Next()));
        settings["Peercall:Database:StartupWait"] = "00:00:04";
        var started = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerNode.StartAsync(name, settings));

        Assert.Contains("exited with code 1", failure.Message);
        Assert.Contains("Peercall cannot use its postgres database: Failed to connect to 127.0.0.1", failure.Message);
        Assert.Contains("Connection refused", failure.Message);
        Assert.DoesNotContain("Unhandled exception", failure.Message);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(4), $"It stopped after {started.Elapsed.TotalSeconds:0.0} s, before its wait.");
    }

    [Fact]
    public async Task A_node_whose_database_refuses_it_stops_at_once_without_waiting()
    {
        var name = NodeName("refused");
        var stranger = new NpgsqlConnectionStringBuilder(cluster.DatabaseConnectionString) { Username = "no_such_role" };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => ServerNode.StartAsync(name, WithDatabase(stranger.ToString())));

        Assert.Contains("Peercall cannot use its postgres database: 28000: role \"no_such_role\" does not exist", failure.Message);
        Assert.DoesNotContain("cannot be reached yet", failure.Message);
    }

    /// <summary>A name no earlier run's log file has, since <see cref="ServerNode.LogsOf"/> finds the logs by name.</summary>
    private static string NodeName(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];

    private Dictionary<string, string> WithDatabase(string connectionString) =>
        new(cluster.Settings) { ["Peercall:Database:ConnectionString"] = connectionString };

    private static string Unreachable(int port) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres", Timeout = 5 }.ToString();
}
