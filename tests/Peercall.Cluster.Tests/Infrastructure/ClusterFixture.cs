using System.Security.Cryptography;

namespace Peercall.Cluster.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL and a real Redis, started for the tests, and three Peercall nodes sharing them, each its
/// own process on its own loopback port. Everything is stopped afterwards, also when tests fail.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int NodeCount = 3;

    /// <summary>Short enough for the ring-timeout test to wait it out, long enough to answer a call.</summary>
    public static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(6);

    private readonly List<ServerNode> _nodes = [];
    private int _userCounter;

    public PostgresServer Postgres { get; private set; } = null!;
    public RedisServer Redis { get; private set; } = null!;

    /// <summary>The shared database, for checking what was really stored.</summary>
    public string DatabaseConnectionString { get; private set; } = null!;

    public IReadOnlyDictionary<string, string> Settings { get; private set; } = null!;

    /// <summary>Node 1, 2 or 3.</summary>
    public ServerNode Node(int number) => _nodes[number - 1];

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        Postgres = await PostgresServer.StartAsync();
        Redis = await RedisServer.StartAsync();
        DatabaseConnectionString = await Postgres.CreateDatabaseAsync("peercall");
        Settings = new Dictionary<string, string>
        {
            ["Peercall:Database:Provider"] = "postgres",
            ["Peercall:Database:ConnectionString"] = DatabaseConnectionString,
            ["Peercall:Redis:ConnectionString"] = Redis.ConnectionString,
            ["Peercall:Auth:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)),
            ["Peercall:Calls:RingTimeout"] = RingTimeout.ToString("c"),
            ["Peercall:Calls:SweepInterval"] = "00:00:00.250",
        };
        // All at once, as an operator starting a cluster would: they must agree on migrations by themselves.
        _nodes.AddRange(await Task.WhenAll(Enumerable.Range(1, NodeCount)
            .Select(n => ServerNode.StartAsync($"node-{n}", WithNodeId(n)))));
    }

    /// <summary>Node <paramref name="number"/>, started again as a new process if a test killed it.</summary>
    public async Task<ServerNode> RunningNodeAsync(int number)
    {
        var node = Node(number);
        if (!node.IsRunning) await node.StartAgainAsync();
        return node;
    }

    /// <summary>A username no other test in this run has, built from <paramref name="name"/>.</summary>
    public string UniqueName(string name) => $"{name}{Interlocked.Increment(ref _userCounter)}";

    private Dictionary<string, string> WithNodeId(int number) =>
        new(Settings) { ["Peercall:Redis:NodeId"] = $"node-{number}" };

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask()));
        if (Redis is not null) await Redis.DisposeAsync();
        if (Postgres is not null) await Postgres.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
