using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Peercall.Contracts;
using Peercall.Contracts.Signaling;

namespace Peercall.Server.Signaling;

/// <summary>
/// Every realtime connection holds an open file, and a process may hold only so many. Past the limit the
/// operating system refuses sockets in ways clients cannot understand, so new realtime connections are refused
/// here first, with a 503 that says why, while the connections already open keep being served. A server that is
/// stopping refuses them too, so that clients do not reconnect into it only to be dropped again.
/// </summary>
public sealed class ConnectionCapacity
{
    /// <summary>Files kept free for the database, logs and plain HTTP requests.</summary>
    public const int ReservedFiles = 800;

    private readonly ILogger<ConnectionCapacity> _logger;
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;
    private long _lastWarningTicks;
    private int _open;

    public ConnectionCapacity(IOptions<SignalingOptions> options, IHostApplicationLifetime lifetime,
        ILogger<ConnectionCapacity> logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
        _stopping = lifetime.ApplicationStopping;
        OpenFileLimit = ReadOpenFileLimit();
        MaxConnections = options.Value.MaxConnections
                         ?? (OpenFileLimit is { } limit ? (int)Math.Clamp(limit - ReservedFiles, 100, int.MaxValue) : int.MaxValue);
        logger.LogInformation("Accepting up to {MaxConnections} realtime connections (open-file limit {OpenFileLimit})",
            MaxConnections, OpenFileLimit?.ToString() ?? "unknown");
    }

    public int MaxConnections { get; }
    public long? OpenFileLimit { get; }

    /// <summary>Counts connections being opened and open from before the handshake, so a burst of simultaneous
    /// connects cannot slip past the limit.</summary>
    public async Task RefuseWhenFullAsync(HttpContext http, Func<Task> next)
    {
        if (_stopping.IsCancellationRequested)
        {
            await RefuseAsync(http, ProblemCodes.ServerStopping, "Server stopping", retryAfterSeconds: 2,
                "This server is stopping. Try again in a moment, or connect to another node.");
            return;
        }
        if (!TryEnter())
        {
            await RefuseAsync(http, ProblemCodes.ServerFull, "Server full", retryAfterSeconds: 30,
                "This server holds as many realtime connections as it can. Try again later, or connect to another node.");
            return;
        }
        try
        {
            await next();
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Takes a place for a connection, unless the server is stopping or full; give it back with
    /// <see cref="Exit"/>.</summary>
    public bool TryEnter()
    {
        if (_stopping.IsCancellationRequested) return false;
        var open = Interlocked.Increment(ref _open);
        if (open <= MaxConnections) return true;
        Interlocked.Decrement(ref _open);
        WarnAtMostEveryMinute(open);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _open);

    private static async Task RefuseAsync(HttpContext http, string code, string title, int retryAfterSeconds, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetails { Status = 503, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }

    private void WarnAtMostEveryMinute(int open)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastWarningTicks);
        if (now - last < TimeSpan.TicksPerMinute || Interlocked.CompareExchange(ref _lastWarningTicks, now, last) != last)
            return;
        _logger.LogWarning(
            "Out of file descriptors for new realtime connections: {Open} open, limit {MaxConnections} " +
            "(the process may hold {OpenFileLimit} open files). New connections get 503 server-full; open ones keep working.",
            open, MaxConnections, OpenFileLimit);
    }

    /// <summary>The soft limit of open files, which .NET raises to the hard limit at start-up.</summary>
    private static long? ReadOpenFileLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
            return long.TryParse(soft, out var limit) ? limit : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
