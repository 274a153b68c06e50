using System.Diagnostics;
using Peercall.Contracts;
using Peercall.Server.Cluster;
using Peercall.Server.Hosting;
using StackExchange.Redis;

namespace Peercall.Server.Calls;

/// <summary>Serialises call placement, so the checks for glare and for a second outgoing call see every call
/// placed before them: on this node (<see cref="CallPlacementGate"/>) or on every node (<see cref="RedisCallPlacementLock"/>).</summary>
public interface ICallPlacementLock
{
    /// <summary>Waits for the lock; disposing the result releases it.</summary>
    Task<IAsyncDisposable> EnterAsync();
}

/// <summary>The lock on a single server: a semaphore in memory.</summary>
public sealed class CallPlacementGate : ICallPlacementLock
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IAsyncDisposable> EnterAsync()
    {
        await _gate.WaitAsync();
        return new Held(_gate);
    }

    private sealed class Held(SemaphoreSlim gate) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            gate.Release();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>A Redis lock (SET NX with a token and an expiry), so call placement is serialised across nodes. The
/// expiry frees the lock of a node that died holding it.</summary>
public sealed class RedisCallPlacementLock(ClusterConnection redis, NodeIdentity node) : ICallPlacementLock
{
    /// <summary>Far longer than a placement takes; only matters when a node dies holding the lock.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(15);

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private RedisKey Key => node.Key("lock:call-placement");

    public async Task<IAsyncDisposable> EnterAsync()
    {
        var token = Guid.NewGuid().ToString("N");
        var started = Stopwatch.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(1);
        while (!await redis.Database.StringSetAsync(Key, token, Expiry, When.NotExists))
        {
            if (Stopwatch.GetElapsedTime(started) > MaxWait)
                throw new PeercallException(503, ProblemCodes.ServerError, "The server is too busy to place calls right now. Try again.");
            await Task.Delay(pause);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 20));
        }
        return new Held(redis, Key, token);
    }

    private sealed class Held(ClusterConnection redis, RedisKey key, string token) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await redis.Database.ScriptEvaluateAsync(ReleaseScript, [key], [token]);
    }
}
