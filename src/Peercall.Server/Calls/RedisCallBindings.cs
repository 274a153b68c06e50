using System.Collections.Concurrent;
using Peercall.Server.Cluster;
using StackExchange.Redis;

namespace Peercall.Server.Calls;

/// <summary>
/// Call bindings shared by every node through Redis, so that a signal from a party on one node reaches the
/// bound connection of the other party on any node. Relaying stays cheap: each node keeps the bindings it has
/// used in memory, and every change of a binding is announced on a channel that makes every node drop its copy.
/// </summary>
/// <remarks>Keys, under the prefix: <c>call:{id}</c> (hash: caller and callee user, their connections, and since
/// when (Unix ms) a side is lost), <c>calls:lost</c> (sorted set: call id by the earliest lost side),
/// <c>conncalls:{connection}</c> (set of the call ids bound to it). Channel: <c>calls:changed</c>.</remarks>
public sealed class RedisCallBindings(ClusterConnection redis, NodeIdentity node, ILogger<RedisCallBindings> logger) : ICallBindings
{
    private const string Functions = """
        local function settle_lost(p, id)
          local l = redis.call('HMGET', p .. ':call:' .. id, 'cl', 'el')
          local a, b = tonumber(l[1]), tonumber(l[2])
          if a and b then a = math.min(a, b) else a = a or b end
          if a then redis.call('ZADD', p .. ':calls:lost', a, id) else redis.call('ZREM', p .. ':calls:lost', id) end
        end
        local function changed(p, id)
          redis.call('PUBLISH', p .. ':calls:changed', id)
        end
        """ + "\n";

    // ARGV: prefix, call, caller, callee, caller connection, callee connection
    private const string BindScript = Functions + """
        local p, id = ARGV[1], ARGV[2]
        redis.call('DEL', p .. ':call:' .. id)
        redis.call('HSET', p .. ':call:' .. id, 'cu', ARGV[3], 'eu', ARGV[4], 'cc', ARGV[5], 'ec', ARGV[6])
        if ARGV[5] ~= '' then redis.call('SADD', p .. ':conncalls:' .. ARGV[5], id) end
        if ARGV[6] ~= '' then redis.call('SADD', p .. ':conncalls:' .. ARGV[6], id) end
        settle_lost(p, id)
        changed(p, id)
        """;

    // ARGV: prefix, call
    private const string UnbindScript = Functions + """
        local p, id = ARGV[1], ARGV[2]
        local c = redis.call('HMGET', p .. ':call:' .. id, 'cc', 'ec')
        if c[1] and c[1] ~= '' then redis.call('SREM', p .. ':conncalls:' .. c[1], id) end
        if c[2] and c[2] ~= '' then redis.call('SREM', p .. ':conncalls:' .. c[2], id) end
        redis.call('DEL', p .. ':call:' .. id)
        redis.call('ZREM', p .. ':calls:lost', id)
        changed(p, id)
        """;

    // ARGV: prefix, call, user, new connection. Returns 0 when the call is not bound.
    private const string RebindScript = Functions + """
        local p, id, u, conn = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        local key = p .. ':call:' .. id
        local f = redis.call('HMGET', key, 'cu', 'eu', 'cc', 'ec')
        if not f[1] then return 0 end
        local side, lost, old
        if u == f[1] then side, lost, old = 'cc', 'cl', f[3] elseif u == f[2] then side, lost, old = 'ec', 'el', f[4] else return 0 end
        if old and old ~= '' then redis.call('SREM', p .. ':conncalls:' .. old, id) end
        redis.call('HSET', key, side, conn)
        redis.call('HDEL', key, lost)
        redis.call('SADD', p .. ':conncalls:' .. conn, id)
        settle_lost(p, id)
        changed(p, id)
        return 1
        """;

    // ARGV: prefix, call, connection, at (Unix ms)
    private const string MarkLostScript = Functions + """
        local p, id, conn = ARGV[1], ARGV[2], ARGV[3]
        local key = p .. ':call:' .. id
        local f = redis.call('HMGET', key, 'cc', 'ec')
        if not f[1] then return 0 end
        if f[1] == conn then redis.call('HSET', key, 'cc', '', 'cl', ARGV[4]) end
        if f[2] == conn then redis.call('HSET', key, 'ec', '', 'el', ARGV[4]) end
        redis.call('SREM', p .. ':conncalls:' .. conn, id)
        settle_lost(p, id)
        changed(p, id)
        return 1
        """;

    // ARGV: prefix, call, caller, callee, at (Unix ms). Leaves an existing binding alone.
    private const string RestoreScript = Functions + """
        local p, id = ARGV[1], ARGV[2]
        local key = p .. ':call:' .. id
        if redis.call('EXISTS', key) == 1 then return 0 end
        redis.call('HSET', key, 'cu', ARGV[3], 'eu', ARGV[4], 'cc', '', 'ec', '', 'cl', ARGV[5], 'el', ARGV[5])
        settle_lost(p, id)
        changed(p, id)
        return 1
        """;

    private readonly ConcurrentDictionary<Guid, (string? Caller, string? Callee)> _cache = new();
    private long _epoch;

    public bool OutliveThisNode => true;

    private IDatabase Db => redis.Database;
    private string Prefix => node.Prefix;
    private RedisChannel Changed => RedisChannel.Literal(node.Key("calls:changed"));

    /// <summary>Starts listening for changed bindings. A node that was cut off from Redis may have missed some, so
    /// it forgets everything it cached when it gets back.</summary>
    public async Task JoinAsync()
    {
        var subscription = await redis.Subscriber.SubscribeAsync(Changed);
        subscription.OnMessage(message =>
        {
            Interlocked.Increment(ref _epoch);
            if (Guid.TryParse(message.Message.ToString(), out var callId)) _cache.TryRemove(callId, out _);
        });
        redis.Multiplexer.ConnectionRestored += (_, _) =>
        {
            Interlocked.Increment(ref _epoch);
            _cache.Clear();
        };
    }

    public async Task BindAsync(Guid callId, Guid callerId, Guid calleeId, string? callerConnection, string? calleeConnection) =>
        await Db.ScriptEvaluateAsync(BindScript, values:
            [Prefix, callId.ToString(), callerId.ToString(), calleeId.ToString(), callerConnection ?? "", calleeConnection ?? ""]);

    public async Task UnbindAsync(Guid callId)
    {
        await Db.ScriptEvaluateAsync(UnbindScript, values: [Prefix, callId.ToString()]);
        _cache.TryRemove(callId, out _);
    }

    public async ValueTask<string?> PeerOfAsync(Guid callId, string fromConnection)
    {
        if (!_cache.TryGetValue(callId, out var bound))
        {
            var epoch = Interlocked.Read(ref _epoch);
            var stored = await Db.HashGetAsync(node.Key($"call:{callId}"), ["cc", "ec"]);
            if (stored[0].IsNull && stored[1].IsNull) return null;
            bound = (NullIfEmpty(stored[0]), NullIfEmpty(stored[1]));
            // A change announced while this read was on its way may be newer than what it read: keep nothing then.
            if (Interlocked.Read(ref _epoch) == epoch) _cache[callId] = bound;
        }
        if (fromConnection == bound.Caller) return bound.Callee;
        if (fromConnection == bound.Callee) return bound.Caller;
        return null;
    }

    public async Task<bool> RebindAsync(Guid callId, Guid userId, string connectionId) =>
        (int)await Db.ScriptEvaluateAsync(RebindScript, values: [Prefix, callId.ToString(), userId.ToString(), connectionId]) == 1;

    public async Task<IReadOnlyList<Guid>> BoundToAsync(string connectionId) =>
        (await Db.SetMembersAsync(node.Key($"conncalls:{connectionId}"))).Select(v => Guid.Parse(v.ToString())).ToList();

    public async Task MarkLostAsync(Guid callId, string connectionId, DateTime at) =>
        await Db.ScriptEvaluateAsync(MarkLostScript, values: [Prefix, callId.ToString(), connectionId, UnixMs(at)]);

    public async Task<IReadOnlyList<Guid>> LostSinceAsync(DateTime cutoff) =>
        (await Db.SortedSetRangeByScoreAsync(node.Key("calls:lost"), double.NegativeInfinity, UnixMs(cutoff)))
        .Select(v => Guid.Parse(v.ToString())).ToList();

    public async Task RestoreAsync(Guid callId, Guid callerId, Guid calleeId, string? callerConnection,
        string? calleeConnection, DateTime at)
    {
        var restored = (int)await Db.ScriptEvaluateAsync(RestoreScript, values:
            [Prefix, callId.ToString(), callerId.ToString(), calleeId.ToString(), UnixMs(at)]);
        if (restored == 1)
            logger.LogInformation("Call {CallId} had no binding in Redis; bound again with both sides waiting to resume", callId);
    }

    private static long UnixMs(DateTime at) => new DateTimeOffset(at, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static string? NullIfEmpty(RedisValue value) => value.IsNullOrEmpty ? null : value.ToString();
}
