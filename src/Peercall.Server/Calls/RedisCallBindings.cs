using System.Collections.Concurrent;
using Peercall.Server.Cluster;
using StackExchange.Redis;

namespace Peercall.Server.Calls;

/// <summary>
/// Call bindings shared by every node through Redis, so that a signal from a participant on one node reaches the
/// bound connection of another participant on any node. Relaying stays cheap: each node keeps the bindings it has
/// used in memory, and every change of a binding is announced on a channel that makes every node drop its copy.
/// </summary>
/// <remarks>Keys, under the prefix: <c>call:{id}</c> (hash: <c>c:{user}</c> the participant's connection, empty
/// while lost, and <c>l:{user}</c> since when (Unix ms) they are lost), <c>calls:lost</c> (sorted set:
/// <c>{call}:{user}</c> by the time they were lost), <c>conncalls:{connection}</c> (set of the call ids bound to
/// it). Channel: <c>calls:changed</c>.</remarks>
public sealed class RedisCallBindings(ClusterConnection redis, NodeIdentity node, ILogger<RedisCallBindings> logger) : ICallBindings
{
    private const string Functions = """
        local function forget(p, id, u)
          local old = redis.call('HGET', p .. ':call:' .. id, 'c:' .. u)
          if old and old ~= '' then redis.call('SREM', p .. ':conncalls:' .. old, id) end
          redis.call('ZREM', p .. ':calls:lost', id .. ':' .. u)
        end
        local function changed(p, id)
          redis.call('PUBLISH', p .. ':calls:changed', id)
        end
        """ + "\n";

    // ARGV: prefix, call, user, connection
    private const string BindScript = Functions + """
        local p, id, u, conn = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        forget(p, id, u)
        redis.call('HSET', p .. ':call:' .. id, 'c:' .. u, conn)
        redis.call('HDEL', p .. ':call:' .. id, 'l:' .. u)
        if conn ~= '' then redis.call('SADD', p .. ':conncalls:' .. conn, id) end
        changed(p, id)
        """;

    // ARGV: prefix, call, user
    private const string UnbindParticipantScript = Functions + """
        local p, id, u = ARGV[1], ARGV[2], ARGV[3]
        forget(p, id, u)
        redis.call('HDEL', p .. ':call:' .. id, 'c:' .. u, 'l:' .. u)
        changed(p, id)
        """;

    // ARGV: prefix, call
    private const string UnbindScript = Functions + """
        local p, id = ARGV[1], ARGV[2]
        local fields = redis.call('HKEYS', p .. ':call:' .. id)
        for _, f in ipairs(fields) do
          if string.sub(f, 1, 2) == 'c:' then forget(p, id, string.sub(f, 3)) end
        end
        redis.call('DEL', p .. ':call:' .. id)
        changed(p, id)
        """;

    // ARGV: prefix, call, user, new connection. Returns 0 when the participant is not bound.
    private const string RebindScript = Functions + """
        local p, id, u, conn = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        if redis.call('HEXISTS', p .. ':call:' .. id, 'c:' .. u) == 0 then return 0 end
        forget(p, id, u)
        redis.call('HSET', p .. ':call:' .. id, 'c:' .. u, conn)
        redis.call('HDEL', p .. ':call:' .. id, 'l:' .. u)
        redis.call('SADD', p .. ':conncalls:' .. conn, id)
        changed(p, id)
        return 1
        """;

    // ARGV: prefix, call, connection, at (Unix ms)
    private const string MarkLostScript = Functions + """
        local p, id, conn, at = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        local key = p .. ':call:' .. id
        local all = redis.call('HGETALL', key)
        for i = 1, #all, 2 do
          if string.sub(all[i], 1, 2) == 'c:' and all[i + 1] == conn then
            local u = string.sub(all[i], 3)
            redis.call('HSET', key, all[i], '', 'l:' .. u, at)
            redis.call('ZADD', p .. ':calls:lost', at, id .. ':' .. u)
          end
        end
        redis.call('SREM', p .. ':conncalls:' .. conn, id)
        changed(p, id)
        """;

    // ARGV: prefix, call, at (Unix ms), users... Leaves an existing binding alone.
    private const string RestoreScript = Functions + """
        local p, id, at = ARGV[1], ARGV[2], ARGV[3]
        local key = p .. ':call:' .. id
        if redis.call('EXISTS', key) == 1 then return 0 end
        for i = 4, #ARGV do
          redis.call('HSET', key, 'c:' .. ARGV[i], '', 'l:' .. ARGV[i], at)
          redis.call('ZADD', p .. ':calls:lost', at, id .. ':' .. ARGV[i])
        end
        changed(p, id)
        return 1
        """;

    private readonly ConcurrentDictionary<Guid, (Guid User, string? Connection)[]> _cache = new();
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

    public async Task BindAsync(Guid callId, Guid userId, string? connection) =>
        await Db.ScriptEvaluateAsync(BindScript, values: [Prefix, callId.ToString(), userId.ToString(), connection ?? ""]);

    public async Task UnbindAsync(Guid callId, Guid userId)
    {
        await Db.ScriptEvaluateAsync(UnbindParticipantScript, values: [Prefix, callId.ToString(), userId.ToString()]);
        _cache.TryRemove(callId, out _);
    }

    public async Task UnbindAsync(Guid callId)
    {
        await Db.ScriptEvaluateAsync(UnbindScript, values: [Prefix, callId.ToString()]);
        _cache.TryRemove(callId, out _);
    }

    public async ValueTask<SignalRoute?> RouteAsync(Guid callId, string fromConnection, Guid? to)
    {
        if (!_cache.TryGetValue(callId, out var bound))
        {
            var epoch = Interlocked.Read(ref _epoch);
            var stored = await Db.HashGetAllAsync(node.Key($"call:{callId}"));
            bound = stored.Where(e => e.Name.ToString().StartsWith("c:", StringComparison.Ordinal))
                .Select(e => (Guid.Parse(e.Name.ToString()[2..]), NullIfEmpty(e.Value))).ToArray();
            // A change announced while this read was on its way may be newer than what it read: keep nothing then.
            if (bound.Length > 0 && Interlocked.Read(ref _epoch) == epoch) _cache[callId] = bound;
        }
        return SignalRouting.Route(bound, fromConnection, to);
    }

    public async Task<bool> RebindAsync(Guid callId, Guid userId, string connectionId) =>
        (int)await Db.ScriptEvaluateAsync(RebindScript, values: [Prefix, callId.ToString(), userId.ToString(), connectionId]) == 1;

    public async Task<IReadOnlyList<Guid>> BoundToAsync(string connectionId) =>
        (await Db.SetMembersAsync(node.Key($"conncalls:{connectionId}"))).Select(v => Guid.Parse(v.ToString())).ToList();

    public async Task MarkLostAsync(Guid callId, string connectionId, DateTime at) =>
        await Db.ScriptEvaluateAsync(MarkLostScript, values: [Prefix, callId.ToString(), connectionId, UnixMs(at)]);

    public async Task<IReadOnlyList<LostParticipant>> LostSinceAsync(DateTime cutoff) =>
        (await Db.SortedSetRangeByScoreAsync(node.Key("calls:lost"), double.NegativeInfinity, UnixMs(cutoff)))
        .Select(v => v.ToString().Split(':'))
        .Select(parts => new LostParticipant(Guid.Parse(parts[0]), Guid.Parse(parts[1]))).ToList();

    public async Task RestoreAsync(Guid callId, IReadOnlyList<Guid> userIds, DateTime at)
    {
        var restored = (int)await Db.ScriptEvaluateAsync(RestoreScript, values:
            [Prefix, callId.ToString(), UnixMs(at), .. userIds.Select(u => (RedisValue)u.ToString())]);
        if (restored == 1)
            logger.LogInformation("Call {CallId} had no binding in Redis; bound again with every participant waiting to resume", callId);
    }

    private static long UnixMs(DateTime at) => new DateTimeOffset(at, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static string? NullIfEmpty(RedisValue value) => value.IsNullOrEmpty ? null : value.ToString();
}
