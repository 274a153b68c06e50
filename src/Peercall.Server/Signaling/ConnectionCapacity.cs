using System.Collections.Concurrent;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Peercall.Contracts;
using Peercall.Server.Hosting;
using Peercall.Server.Presence;

namespace Peercall.Server.Signaling;

/// <summary>
/// Who may open a realtime connection, decided before the WebSocket upgrade so that a refusal is a ProblemDetails
/// a client can read. Every connection holds an open file: past <see cref="MaxConnections"/> (what the
/// <see cref="OpenFileBudget"/> gives realtime connections) new ones get 503 server-full while the open ones keep
/// being served. One account may hold <see cref="SignalingOptions.MaxConnectionsPerUser"/> of them, so that no one
/// account takes every place. A server that is stopping refuses them too, so that clients do not reconnect into it
/// only to be dropped again.
/// </summary>
public sealed class ConnectionCapacity
{
    private readonly IPresenceDirectory _presence;
    private readonly ILogger<ConnectionCapacity> _logger;
    private readonly OncePerMinute _warning;
    private readonly CancellationToken _stopping;
    private readonly int _maxPerUser;
    private readonly ConcurrentDictionary<Guid, int> _perUser = new();
    private int _open;

    public ConnectionCapacity(IOptions<SignalingOptions> options, OpenFileBudget files, IPresenceDirectory presence,
        IHostApplicationLifetime lifetime, ILogger<ConnectionCapacity> logger, TimeProvider time)
    {
        _presence = presence;
        _logger = logger;
        _warning = new OncePerMinute(time);
        _stopping = lifetime.ApplicationStopping;
        _maxPerUser = options.Value.MaxConnectionsPerUser;
        OpenFileLimit = files.OpenFileLimit;
        MaxConnections = Math.Min(options.Value.MaxConnections ?? int.MaxValue, files.RealtimeConnections);
        logger.LogInformation("Accepting up to {MaxConnections} realtime connections (open-file limit {OpenFileLimit}), {MaxPerUser} per account",
            MaxConnections, OpenFileLimit?.ToString() ?? "unknown", _maxPerUser);
    }

    public int MaxConnections { get; }
    public long? OpenFileLimit { get; }

    /// <summary>Counts connections being opened and open from before the upgrade, so a burst of simultaneous
    /// connects cannot slip past a limit.</summary>
    public async Task RefuseWhenFullAsync(HttpContext http, Func<Task> next)
    {
        if (_stopping.IsCancellationRequested)
        {
            await RefuseAsync(http, 503, ProblemCodes.ServerStopping, "Server stopping", retryAfterSeconds: 2,
                "This server is stopping. Try again in a moment, or connect to another node.");
            return;
        }
        var open = Interlocked.Increment(ref _open);
        try
        {
            if (open > MaxConnections)
            {
                WarnAtMostEveryMinute(open);
                await RefuseAsync(http, 503, ProblemCodes.ServerFull, "Server full", retryAfterSeconds: 30,
                    "This server holds as many realtime connections as it can. Try again later, or connect to another node.");
                return;
            }
            await WithinAccountLimitAsync(http, http.User.UserId(), next);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task WithinAccountLimitAsync(HttpContext http, Guid userId, Func<Task> next)
    {
        var here = _perUser.AddOrUpdate(userId, 1, (_, count) => count + 1);
        try
        {
            if (here + await ElsewhereAsync(userId) > _maxPerUser)
            {
                await RefuseAsync(http, 429, ProblemCodes.TooManyConnections, "Too many connections", retryAfterSeconds: 10,
                    $"This account already has {_maxPerUser} realtime connections open (one per device or tab). " +
                    "Close the app on a device you no longer use, or sign out there.");
                return;
            }
            await next();
        }
        finally
        {
            if (_perUser.AddOrUpdate(userId, 0, (_, count) => count - 1) == 0)
                _perUser.TryRemove(KeyValuePair.Create(userId, 0));
        }
    }

    /// <summary>The account's connections held by other nodes of a cluster (none on a single server, whose
    /// directory knows only its own).</summary>
    private async Task<int> ElsewhereAsync(Guid userId) =>
        (await _presence.ConnectionsOfAsync(userId)).Count(c => c.Context is null);

    private static async Task RefuseAsync(HttpContext http, int status, string code, string title, int retryAfterSeconds, string detail)
    {
        http.Response.StatusCode = status;
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }

    private void WarnAtMostEveryMinute(int open)
    {
        if (!_warning.Due()) return;
        _logger.LogWarning(
            "Out of file descriptors for new realtime connections: {Open} open, limit {MaxConnections} " +
            "(the process may hold {OpenFileLimit} open files). New connections get 503 server-full; open ones keep working.",
            open, MaxConnections, OpenFileLimit);
    }
}
