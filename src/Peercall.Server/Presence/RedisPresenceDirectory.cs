using Peercall.Contracts.Contacts;
using Peercall.Server.Cluster;
using StackExchange.Redis;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Server.Presence;

/// <summary>
/// Presence across every node, kept in Redis. Each connection is recorded under the node that holds it; a user's
/// presence is worked out and changed in one Lua script per change, so when two nodes change the same user at
/// once, exactly one of them learns of (and announces) each real change. The node's own
/// <see cref="PresenceTracker"/> still holds its local connections, which only it can close.
/// </summary>
/// <remarks>Keys, under the prefix: <c>conn:{id}</c> (hash: user, session, opened, node), <c>user:{id}</c> and
/// <c>node:{id}</c> (sets of connection ids), <c>incall</c> (set of user ids), <c>present</c> (hash: user id →
/// presence, for everyone not offline).</remarks>
public sealed class RedisPresenceDirectory(
    PresenceTracker local,
    ClusterConnection redis,
    NodeIdentity node,
    ILogger<RedisPresenceDirectory> logger) : IPresenceDirectory
{
    // presence(): 0 offline, 1 online, 2 in-call, as Contracts.Contacts.Presence. settle() records the new
    // presence and returns it when it differs from the one before, else -1.
    private const string Functions = """
        local function presence(p, u)
          if redis.call('SCARD', p .. ':user:' .. u) == 0 then return 0 end
          if redis.call('SISMEMBER', p .. ':incall', u) == 1 then return 2 end
          return 1
        end
        local function settle(p, u, before)
          local after = presence(p, u)
          if after == 0 then redis.call('HDEL', p .. ':present', u) else redis.call('HSET', p .. ':present', u, after) end
          if after == before then return -1 end
          return after
        end
        """ + "\n";

    // ARGV: prefix, connection, user, session, opened (ticks), node
    private const string ConnectScript = Functions + """
        local p, c, u = ARGV[1], ARGV[2], ARGV[3]
        local before = presence(p, u)
        local previous = redis.call('HGET', p .. ':conn:' .. c, 'n')
        if previous then redis.call('SREM', p .. ':node:' .. previous, c) end
        redis.call('HSET', p .. ':conn:' .. c, 'u', u, 's', ARGV[4], 'o', ARGV[5], 'n', ARGV[6])
        redis.call('SADD', p .. ':user:' .. u, c)
        redis.call('SADD', p .. ':node:' .. ARGV[6], c)
        return settle(p, u, before)
        """;

    // ARGV: prefix, connection, the node it must be on ('' for any)
    private const string DisconnectScript = Functions + """
        local p, c = ARGV[1], ARGV[2]
        local f = redis.call('HMGET', p .. ':conn:' .. c, 'u', 's', 'o', 'n')
        if not f[1] then return false end
        if ARGV[3] ~= '' and f[4] ~= ARGV[3] then return false end
        local u = f[1]
        local before = presence(p, u)
        redis.call('DEL', p .. ':conn:' .. c)
        redis.call('SREM', p .. ':user:' .. u, c)
        redis.call('SREM', p .. ':node:' .. f[4], c)
        return {u, f[2], f[3], f[4], settle(p, u, before)}
        """;

    // ARGV: prefix, user, 1 or 0
    private const string InCallScript = Functions + """
        local p, u = ARGV[1], ARGV[2]
        local before = presence(p, u)
        if ARGV[3] == '1' then redis.call('SADD', p .. ':incall', u) else redis.call('SREM', p .. ':incall', u) end
        return settle(p, u, before)
        """;

    private IDatabase Db => redis.Database;
    private string Prefix => node.Prefix;
    private RedisChannel SessionsClosed => RedisChannel.Literal(node.Key("sessions:closed"));

    /// <summary>Listens for sign-outs on other nodes, whose connections here must close too.</summary>
    public async Task JoinAsync()
    {
        var subscription = await redis.Subscriber.SubscribeAsync(SessionsClosed);
        subscription.OnMessage(message =>
        {
            if (Guid.TryParse(message.Message.ToString(), out var sessionId)) local.CloseSession(sessionId);
        });
    }

    public async Task<PresenceState?> ConnectedAsync(RealtimeConnection connection)
    {
        local.Add(connection);
        return await RegisterAsync(connection);
    }

    /// <summary>Records a connection of this node in Redis (again, after the others took this node for dead).</summary>
    public async Task<PresenceState?> RegisterAsync(RealtimeConnection connection) =>
        Changed(await Db.ScriptEvaluateAsync(ConnectScript, values:
        [
            Prefix, connection.Id, connection.UserId.ToString(), connection.SessionId.ToString(),
            connection.OpenedAt.Ticks, node.Id,
        ]));

    public async Task<(RealtimeConnection Connection, PresenceState? Changed)?> DisconnectedAsync(string connectionId)
    {
        var context = local.Remove(connectionId)?.Connection.Context;
        return await RemoveAsync(connectionId, onNode: null, context);
    }

    /// <summary>Removes a connection that went away unannounced with its node (or while Redis could not be reached),
    /// unless it has been registered under another node since.</summary>
    public Task<(RealtimeConnection Connection, PresenceState? Changed)?> ExpireAsync(string connectionId, string deadNode) =>
        RemoveAsync(connectionId, deadNode, context: null);

    /// <summary>The connections Redis still lists for a node.</summary>
    public async Task<string[]> ConnectionsOnAsync(string nodeId) =>
        (await Db.SetMembersAsync(node.Key($"node:{nodeId}"))).Select(v => v.ToString()).ToArray();

    public async Task<PresenceState?> SetInCallAsync(Guid userId, bool inCall)
    {
        local.SetInCall(userId, inCall);
        return Changed(await Db.ScriptEvaluateAsync(InCallScript, values: [Prefix, userId.ToString(), inCall ? 1 : 0]));
    }

    public async Task<PresenceState> PresenceOfAsync(Guid userId)
    {
        var stored = await Db.HashGetAsync(node.Key("present"), userId.ToString());
        return stored.IsNull ? PresenceState.Offline : (PresenceState)(int)stored;
    }

    public async Task<IReadOnlyList<UserPresence>> PresenceOfManyAsync(IReadOnlyList<Guid> userIds)
    {
        if (userIds.Count == 0) return [];
        var stored = await Db.HashGetAsync(node.Key("present"), [.. userIds.Select(id => (RedisValue)id.ToString())]);
        return [.. userIds.Select((id, i) =>
            new UserPresence(id, stored[i].IsNull ? PresenceState.Offline : (PresenceState)(int)stored[i]))];
    }

    public Task<bool> IsInCallAsync(Guid userId) => Db.SetContainsAsync(node.Key("incall"), userId.ToString());

    public async Task<IReadOnlyDictionary<Guid, PresenceState>> PresentAsync() =>
        (await Db.HashGetAllAsync(node.Key("present")))
        .ToDictionary(e => Guid.Parse(e.Name.ToString()), e => (PresenceState)(int)e.Value);

    public async Task<RealtimeConnection?> FindAsync(string connectionId) =>
        local.Find(connectionId) ?? await LoadAsync(connectionId);

    public async Task<IReadOnlyList<RealtimeConnection>> ConnectionsOfAsync(Guid userId)
    {
        var ids = await Db.SetMembersAsync(node.Key($"user:{userId}"));
        var found = await Task.WhenAll(ids.Select(id => FindAsync(id.ToString())));
        return found.OfType<RealtimeConnection>().ToList();
    }

    public async Task CloseSessionAsync(Guid sessionId) =>
        await redis.Subscriber.PublishAsync(SessionsClosed, sessionId.ToString());

    private async Task<(RealtimeConnection Connection, PresenceState? Changed)?> RemoveAsync(string connectionId,
        string? onNode, Microsoft.AspNetCore.SignalR.HubCallerContext? context)
    {
        var result = await Db.ScriptEvaluateAsync(DisconnectScript, values: [Prefix, connectionId, onNode ?? ""]);
        if (result.IsNull) return null;
        var fields = (RedisResult[])result!;
        var connection = new RealtimeConnection(connectionId, Guid.Parse(fields[0].ToString()),
            Guid.Parse(fields[1].ToString()), new DateTime((long)fields[2], DateTimeKind.Utc), context);
        if (onNode is not null)
            logger.LogInformation("Connection {ConnectionId} of {UserId} on node {NodeId} expired",
                connectionId, connection.UserId, onNode);
        return (connection, Changed(fields[4]));
    }

    private async Task<RealtimeConnection?> LoadAsync(string connectionId)
    {
        var fields = await Db.HashGetAsync(node.Key($"conn:{connectionId}"), ["u", "s", "o"]);
        if (fields[0].IsNull) return null;
        return new RealtimeConnection(connectionId, Guid.Parse(fields[0].ToString()), Guid.Parse(fields[1].ToString()),
            new DateTime((long)fields[2], DateTimeKind.Utc), Context: null);
    }

    private static PresenceState? Changed(RedisResult result) => (int)result is var value and >= 0 ? (PresenceState)value : null;
}
