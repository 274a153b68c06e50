using Npgsql;

namespace Peercall.Cluster.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server from Debian's package, started for the tests in a temporary folder on a free loopback
/// port, with its socket in that folder too. PostgreSQL refuses to run as root, so as root it runs as the
/// <c>postgres</c> user. Durability is switched off: the data is thrown away afterwards anyway.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string Kind = "postgres";
    private const string User = "postgres";
    private readonly ServiceFolder _folder;
    private readonly string _bin;

    private PostgresServer(ServiceFolder folder, string bin, int port)
    {
        _folder = folder;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    private string DataFolder => _folder.File("data");

    /// <summary>A connection string as user postgres (trusted on loopback) to <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = User, Database = database, Timeout = 30,
    }.ToString();

    /// <param name="port">The port to listen on, for a test that has a node waiting for it there; a free one if null.</param>
    public static async Task<PostgresServer> StartAsync(int? port = null)
    {
        var bin = BinFolder();
        foreach (var abandoned in ServiceFolder.Abandoned(Kind)) await StopAsync(bin, abandoned);

        var folder = ServiceFolder.Create(Kind);
        try
        {
            if (Commands.IsRoot) await Commands.RunAsync("chown", [$"{User}:{User}", folder.Path]);
            await Commands.RunAsUserAsync(User, Path.Combine(bin, "initdb"), "-D", folder.File("data"), "-U", User,
                "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions");
            for (var attempt = 1; ; attempt++)
            {
                var listenOn = port ?? FreePort.Next();
                try
                {
                    await Commands.RunAsUserAsync(User, Path.Combine(bin, "pg_ctl"), "-D", folder.File("data"),
                        "-l", folder.File("server.log"), "-w", "-t", "60", "-o",
                        $"-p {listenOn} -k {folder.Path} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                        "-c full_page_writes=off -c max_connections=500", "start");
                    return new PostgresServer(folder, bin, listenOn);
                }
                catch (InvalidOperationException) when (port is null && attempt < 3)
                {
                    // Another process took the port between the check and the start.
                }
            }
        }
        catch (Exception e)
        {
            var log = File.Exists(folder.File("server.log")) ? File.ReadAllText(folder.File("server.log")) : "";
            await StopAsync(bin, folder);
            throw new InvalidOperationException($"PostgreSQL did not start. Its log:\n{log}", e);
        }
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await StopAsync(_bin, _folder);
    }

    private static async Task StopAsync(string bin, ServiceFolder folder)
    {
        if (File.Exists(Path.Combine(folder.File("data"), "postmaster.pid")))
        {
            try
            {
                await Commands.RunAsUserAsync(User, Path.Combine(bin, "pg_ctl"), "-D", folder.File("data"), "-m", "immediate",
                    "-w", "-t", "30", "stop");
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }
        folder.Delete();
    }

    /// <summary>The newest installed PostgreSQL's programs (Debian keeps them out of PATH).</summary>
    private static string BinFolder()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Where(d => File.Exists(Path.Combine(d, "bin", "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin"))
            : [];
        return versions.FirstOrDefault()
               ?? Path.GetDirectoryName(Commands.Require("pg_ctl", "postgresql"))!;
    }
}
