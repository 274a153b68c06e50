namespace Peercall.Server.Hosting;

/// <summary>
/// How the process's open files are shared out. Every TCP connection holds one; a process that runs out cannot
/// accept, log or open its database. So Kestrel is told how many plain HTTP connections and how many upgraded
/// (WebSocket) connections to hold, and together they stay below the limit with files to spare. Past its limits
/// Kestrel closes a new connection at once, which frees its file, instead of letting it take the last ones.
/// </summary>
public sealed record OpenFileBudget(long? OpenFileLimit, int HttpConnections, int UpgradedConnections)
{
    /// <summary>Files kept for the database, logs, certificates and the runtime itself.</summary>
    public const int ReservedFiles = 300;

    /// <summary>At most this share of the files goes to plain HTTP connections (sign-in, the app, the REST API,
    /// and every WebSocket until it is upgraded); the rest to realtime connections.</summary>
    private const int HttpShareDivisor = 40;

    public static OpenFileBudget Of(long? openFileLimit)
    {
        if (openFileLimit is not { } limit || limit > int.MaxValue) return new(openFileLimit, 10_000, 1_000_000);
        var available = (int)Math.Max(limit - ReservedFiles, 100);
        var http = Math.Clamp(available / HttpShareDivisor, 50, 2_000);
        return new(limit, http, Math.Max(available - http, 50));
    }

    public static OpenFileBudget OfThisProcess() => Of(ReadOpenFileLimit());

    /// <summary>The soft limit of open files, which .NET raises to the hard limit at start-up.</summary>
    private static long? ReadOpenFileLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
            return long.TryParse(soft, out var limit) ? limit : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
