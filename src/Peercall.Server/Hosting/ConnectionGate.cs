using Microsoft.AspNetCore.Connections;

namespace Peercall.Server.Hosting;

/// <summary>
/// Closes a new TCP connection at once while the process holds as many as its <see cref="OpenFileBudget"/> allows,
/// plain and upgraded together, which frees its file again; the connections already open keep being served. Kestrel
/// limits the two kinds apart (and is told the same total for each), but what runs out is their sum.
/// </summary>
public sealed class ConnectionGate(OpenFileBudget files, TimeProvider time, ILogger<ConnectionGate> logger)
{
    private readonly OncePerMinute _warning = new(time);
    private int _open;

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var open = Interlocked.Increment(ref _open);
        try
        {
            if (open > files.Connections)
            {
                WarnAtMostEveryMinute(open);
                return;
            }
            await next(connection);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private void WarnAtMostEveryMinute(int open)
    {
        if (!_warning.Due()) return;
        logger.LogWarning("{Open} connections at once: new ones are closed until some end, to keep {Reserved} of the " +
                          "process's {OpenFileLimit} open files free. Connections already open keep working.",
            open, OpenFileBudget.ReservedFiles, files.OpenFileLimit);
    }
}
