namespace Peercall.Server.Hosting;

/// <summary>
/// How the process's open files are shared out. Every TCP connection holds one, and a process that runs out cannot
/// accept, log or open its database. Connections of every kind together stay below the limit with files to spare
/// (<see cref="ConnectionGate"/>, since Kestrel counts plain and upgraded connections apart), and realtime
/// connections leave room for plain HTTP ones (sign-in, the app, the REST API, and every WebSocket until it is
/// upgraded), which may otherwise use whatever is free: a reconnect storm of thousands is not turned away.
/// </summary>
public sealed record OpenFileBudget(long? OpenFileLimit, int Connections, int RealtimeConnections)
{
    /// <summary>Files kept for the database, logs, certificates and the runtime itself (about 100 here), and for
    /// the connections of a flood that Kestrel has accepted but not closed yet (up to about 500 measured).</summary>
    public const int ReservedFiles = 800;

    /// <summary>Realtime connections leave at least this share of the connections to plain HTTP.</summary>
    private const int HttpShareDivisor = 100;

    public static OpenFileBudget Of(long? openFileLimit)
    {
        if (openFileLimit is not { } limit || limit > int.MaxValue) return new(openFileLimit, int.MaxValue, int.MaxValue);
        var connections = (int)Math.Max(limit - ReservedFiles, 100);
        var http = Math.Clamp(connections / HttpShareDivisor, 50, 1_000);
        return new(limit, connections, Math.Max(connections - http, 50));
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
