using Microsoft.Extensions.Options;
using Peercall.Server.Calls;
using Peercall.Server.Presence;
using StackExchange.Redis;

namespace Peercall.Server.Cluster;

/// <summary>
/// Keeps this node known to the others, and cleans up after the ones that stopped answering. Every node
/// heartbeats into a sorted set of deadlines; every node also looks for deadlines that passed. A silent node is
/// moved to the set of dead nodes in one atomic step, and one node at a time (holding a lease) removes its
/// connections: each removal is atomic in Redis, so each user who went offline with it is announced once, and
/// their calls are handled as after a dropped connection.
/// </summary>
/// <remarks>Keys, under the prefix: <c>nodes</c> (sorted set: node id by deadline, Unix ms), <c>nodes:dead</c>
/// (set), <c>nodes:dead:{id}:lease</c>.</remarks>
public sealed class NodeHeartbeatService(
    ClusterConnection redis,
    NodeIdentity node,
    RedisPresenceDirectory directory,
    RedisCallBindings bindings,
    PresenceTracker local,
    PresenceService presence,
    IServiceScopeFactory scopes,
    IOptions<ClusterOptions> options,
    TimeProvider time,
    ILogger<NodeHeartbeatService> logger) : BackgroundService
{
    // ARGV: prefix, node, deadline. 0: the others took this node for dead; 1: still known; 2: newly known.
    private const string HeartbeatScript = """
        local p, n = ARGV[1], ARGV[2]
        if redis.call('SISMEMBER', p .. ':nodes:dead', n) == 1 then return 0 end
        return 1 + redis.call('ZADD', p .. ':nodes', ARGV[3], n)
        """;

    // ARGV: prefix, now. Moves every node past its deadline to the dead ones; returns all dead ones.
    private const string ClaimScript = """
        local p = ARGV[1]
        local dead = redis.call('ZRANGEBYSCORE', p .. ':nodes', '-inf', ARGV[2])
        for _, n in ipairs(dead) do
          redis.call('ZREM', p .. ':nodes', n)
          redis.call('SADD', p .. ':nodes:dead', n)
        end
        return redis.call('SMEMBERS', p .. ':nodes:dead')
        """;

    // ARGV: prefix, node. Called when this node stops: whatever it still has registered is cleaned up by the others.
    private const string LeaveScript = """
        redis.call('ZREM', ARGV[1] .. ':nodes', ARGV[2])
        redis.call('SADD', ARGV[1] .. ':nodes:dead', ARGV[2])
        """;

    private const int ParallelRemovals = 16;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>How often a node compares what Redis lists for it with the connections it really holds.</summary>
    private static readonly TimeSpan ReconcileEvery = TimeSpan.FromSeconds(30);

    private volatile bool _joined;
    private long _reconciledAt;

    private IDatabase Db => redis.Database;

    /// <summary>Joins before the node takes requests; a node that cannot reach Redis yet keeps trying at every
    /// heartbeat (and reports itself unhealthy meanwhile).</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await JoinAsync();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Node {NodeId} cannot reach Redis yet; it keeps trying", node.Id);
        }
        await base.StartAsync(cancellationToken);
    }

    private async Task JoinAsync()
    {
        await directory.JoinAsync();
        await bindings.JoinAsync();
        await HeartbeatAsync(first: true);
        _joined = true;
        logger.LogInformation("Joined the cluster as node {NodeId}", node.Id);
    }

    /// <summary>The heartbeat has a loop of its own: removing a dead node's thousands of connections can take longer
    /// than the node timeout, and a node busy with that must not look dead itself.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(BeatAsync(stoppingToken), TidyAsync(stoppingToken));

    private async Task BeatAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (!_joined) await JoinAsync();
                else await HeartbeatAsync(first: false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Heartbeat of node {NodeId} failed; it is tried again at the next tick", node.Id);
            }
        }
    }

    /// <summary>Removes dead nodes' connections and keeps Redis in line with this node's own.</summary>
    private async Task TidyAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!_joined) continue;
            try
            {
                await RemoveDeadNodesAsync(stoppingToken);
                await ReconcileAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Cleaning up after other nodes failed on node {NodeId}; it is tried again at the next tick", node.Id);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await Db.ScriptEvaluateAsync(LeaveScript, values: [node.Prefix, node.Id]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Node {NodeId} could not say goodbye; the others will notice its silence", node.Id);
        }
    }

    private async Task HeartbeatAsync(bool first)
    {
        var known = (int)await Beat();
        if (known == 1 || (known == 2 && first)) return;

        // The others took this node for dead (it was cut off from Redis too long), or Redis lost its data: come
        // back under a new identity, so that their cleanup of the old one cannot remove what is registered now.
        var old = node.Id;
        node.Renew();
        await Beat();
        var connections = local.All();
        logger.LogWarning("Node {OldNodeId} was taken for dead; registering its {Count} connections again as {NodeId}",
            old, connections.Count, node.Id);
        foreach (var connection in connections)
            if (await directory.RegisterAsync(connection) is { } changed)
                await presence.AnnounceAsync(connection.UserId, changed);

        Task<RedisResult> Beat() => Db.ScriptEvaluateAsync(HeartbeatScript, values:
            [node.Prefix, node.Id, (time.GetUtcNow() + options.Value.NodeTimeout).ToUnixTimeMilliseconds()]);
    }

    private async Task RemoveDeadNodesAsync(CancellationToken stoppingToken)
    {
        var dead = (RedisResult[])(await Db.ScriptEvaluateAsync(ClaimScript, values:
            [node.Prefix, time.GetUtcNow().ToUnixTimeMilliseconds()]))!;
        foreach (var deadNode in dead.Select(d => d.ToString()))
        {
            var lease = node.Key($"nodes:dead:{deadNode}:lease");
            if (!await Db.StringSetAsync(lease, node.Id, Lease, When.NotExists)) continue;
            await RemoveNodeAsync(deadNode, stoppingToken);
            await Db.SetRemoveAsync(node.Key("nodes:dead"), deadNode);
            await Db.KeyDeleteAsync([node.Key($"node:{deadNode}"), lease]);
        }
    }

    private async Task RemoveNodeAsync(string deadNode, CancellationToken stoppingToken)
    {
        var connections = await directory.ConnectionsOnAsync(deadNode);
        logger.LogWarning("Node {DeadNodeId} stopped answering; removing its {Count} connections", deadNode, connections.Length);
        await ExpireAsync(connections, deadNode, stoppingToken);
    }

    /// <summary>A connection that closed while Redis could not be reached is still listed for this node, and one
    /// that opened meanwhile is missing: every so often, Redis is brought back in line with what this node holds.</summary>
    private async Task ReconcileAsync(CancellationToken stoppingToken)
    {
        if (_reconciledAt != 0 && time.GetElapsedTime(_reconciledAt) < ReconcileEvery) return;
        _reconciledAt = time.GetTimestamp();
        var listed = (await directory.ConnectionsOnAsync(node.Id)).ToHashSet();
        var gone = listed.Where(id => local.Find(id) is null).ToArray();
        if (gone.Length > 0)
        {
            logger.LogWarning("Redis still listed {Count} closed connections of node {NodeId}; removing them", gone.Length, node.Id);
            await ExpireAsync(gone, node.Id, stoppingToken);
        }
        foreach (var connection in local.All().Where(c => !listed.Contains(c.Id)))
            if (await directory.RegisterAsync(connection) is { } changed)
                await presence.AnnounceAsync(connection.UserId, changed);
    }

    /// <summary>Removes connections that went away unannounced: first all of them with the presence that goes with
    /// them, so everyone sees the users go offline quickly; then their calls, as after a dropped connection, which
    /// takes database work.</summary>
    private async Task ExpireAsync(string[] connections, string nodeId, CancellationToken stoppingToken)
    {
        var removed = new List<RealtimeConnection>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ParallelRemovals, CancellationToken = stoppingToken };
        await Parallel.ForEachAsync(connections, parallel, async (id, _) =>
        {
            if (await directory.ExpireAsync(id, nodeId) is not var (connection, changed)) return;
            lock (removed) removed.Add(connection);
            await presence.AnnounceGoneAsync(connection.UserId, changed);
        });
        await Parallel.ForEachAsync(removed, parallel, async (connection, _) =>
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CallService>().ConnectionClosedAsync(connection, clean: false);
        });
    }
}
