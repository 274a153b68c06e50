using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Peercall.Bench.Servers;
using Peercall.Cluster.Tests.Infrastructure;

namespace Peercall.Bench.Cluster;

/// <summary>
/// Several Peercall nodes as an operator would run them: a real PostgreSQL and a real Redis (from Debian's
/// packages, started on loopback in temporary folders by the cluster tests' own classes), and the published
/// server started once per node on its own port with the settings that make them one server.
/// </summary>
public sealed class PeercallCluster : IAsyncDisposable
{
    private readonly PostgresServer _postgres;
    private readonly RedisServer _redis;

    private PeercallCluster(PostgresServer postgres, RedisServer redis, IReadOnlyList<PeercallServer> nodes)
    {
        _postgres = postgres;
        _redis = redis;
        Nodes = nodes;
    }

    public IReadOnlyList<PeercallServer> Nodes { get; }

    /// <param name="environment">Environment variables every node gets besides the cluster's own (--server-env).</param>
    public static async Task<PeercallCluster> StartAsync(string publishedFolder, string workFolder, int nodeCount,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var postgres = await PostgresServer.StartAsync();
        RedisServer? redis = null;
        var nodes = new List<PeercallServer>();
        try
        {
            redis = await RedisServer.StartAsync();
            var database = await postgres.CreateDatabaseAsync("peercall");
            var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
            for (var n = 1; n <= nodeCount; n++)
            {
                var variables = new Dictionary<string, string>(environment)
                {
                    ["Peercall__Database__Provider"] = "postgres",
                    ["Peercall__Database__ConnectionString"] = database,
                    ["Peercall__Redis__ConnectionString"] = redis.ConnectionString,
                    ["Peercall__Redis__NodeId"] = $"node-{n}",
                    ["Peercall__Auth__SigningKey"] = signingKey,
                    // 50,000 connections share 1,200 users (42 devices each) so that creating them takes minutes,
                    // not half an hour: above the default cap of 10 per account.
                    ["Peercall__Signaling__MaxConnectionsPerUser"] = "64",
                };
                var data = Directory.CreateDirectory(Path.Combine(workFolder, $"node-{n}-data")).FullName;
                nodes.Add(new PeercallServer(publishedFolder, data, ServerProcess.FreePort(), Path.Combine(workFolder, $"node-{n}.log"),
                    variables, $"node {n}"));
            }
            // All at once, as an operator starting a cluster would: they agree on migrations by themselves.
            await Task.WhenAll(nodes.Select(node => node.StartAsync(timeout)));
            return new PeercallCluster(postgres, redis, nodes);
        }
        catch
        {
            foreach (var node in nodes) await node.DisposeAsync();
            if (redis is not null) await redis.DisposeAsync();
            await postgres.DisposeAsync();
            throw;
        }
    }

    /// <summary>What Redis holds in memory (its own count and its RSS), in kilobytes: presence lives there.</summary>
    public async Task<(long UsedKb, long RssKb)> RedisMemoryAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, _redis.Port);
        var stream = client.GetStream();
        await stream.WriteAsync("INFO memory\r\n"u8.ToArray());
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        // A bulk string: "$length\r\n" and the text; enough of it has arrived once both fields are in.
        while (!(text.ToString().Contains("used_memory_rss:") && text.ToString().Contains("used_memory:")))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0) break;
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        long Field(string name) => text.ToString().Split("\r\n").Where(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l[(name.Length + 1)..]) / 1024).FirstOrDefault();
        return (Field("used_memory"), Field("used_memory_rss"));
    }

    public static string PostgresVersion() => Version("postgres", "--version");

    public static string RedisVersion() => Version("redis-server", "--version");

    private static string Version(string program, string argument)
    {
        try
        {
            var path = program == "postgres"
                ? Directory.EnumerateFiles("/usr/lib/postgresql", "postgres", SearchOption.AllDirectories).Order().LastOrDefault() ?? program
                : program;
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(path, argument)
                { RedirectStandardOutput = true })!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return output;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return "unknown";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Select(node => node.DisposeAsync().AsTask()));
        await _redis.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}
