using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Peercall.Server.Data;

namespace Peercall.Server.Tests.Infrastructure;

/// <summary>
/// The database the test servers run on: a SQLite file in each data folder by default. With
/// PEERCALL_TEST_DATABASE=postgres (tests/with-postgres.sh sets it), each data folder gets a PostgreSQL database
/// of its own instead, on the server PEERCALL_TEST_POSTGRES names: two servers started on one data folder share
/// it, as they would share the SQLite file, and it is dropped with the folder. Tests that look at what is
/// stored go through here, with SQL both databases understand (identifiers in double quotes, @parameters).
/// </summary>
public static class TestDatabase
{
    public static bool IsPostgres { get; } = Environment.GetEnvironmentVariable("PEERCALL_TEST_DATABASE") == "postgres";

    /// <summary>Adds the provider settings for the data folder's database to a server's configuration.</summary>
    public static void Configure(Dictionary<string, string?> settings, string dataDirectory)
    {
        if (!IsPostgres) return;
        settings["Peercall:Database:Provider"] = "postgres";
        settings["Peercall:Database:ConnectionString"] = ConnectionString(dataDirectory);
    }

    /// <summary>A connection of its own to the data folder's database, to see what is really stored.</summary>
    public static DbConnection Open(string dataDirectory)
    {
        DbConnection connection = IsPostgres
            ? new NpgsqlConnection(ConnectionString(dataDirectory))
            : new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(dataDirectory, DataSetup.DatabaseFile), Pooling = false,
            }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>A context on the data folder's database, with no server around it: for migrating it by hand.</summary>
    public static PeercallDb NewContext(string dataDirectory) => IsPostgres
        ? new PostgresPeercallDb(new DbContextOptionsBuilder<PostgresPeercallDb>().UseNpgsql(ConnectionString(dataDirectory)).Options)
        : new SqlitePeercallDb(new DbContextOptionsBuilder<SqlitePeercallDb>()
            .UseSqlite($"Data Source={Path.Combine(dataDirectory, DataSetup.DatabaseFile)};Pooling=False").Options);

    public static DbCommand AddParameter(this DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>An id as the database stores it: SQLite keeps a Guid as upper-case text, PostgreSQL as a uuid.</summary>
    public static object Stored(Guid id) => IsPostgres ? id : id.ToString().ToUpperInvariant();

    /// <summary>Everything the database holds, byte for byte where it can be read so: the SQLite files, or every
    /// row of every table of the PostgreSQL database as text.</summary>
    public static async Task<IReadOnlyList<byte[]>> RawContentsAsync(string dataDirectory)
    {
        var contents = new List<byte[]>();
        if (!IsPostgres)
        {
            foreach (var file in Directory.EnumerateFiles(dataDirectory, $"{DataSetup.DatabaseFile}*"))
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                contents.Add(copy.ToArray());
            }
            return contents;
        }

        await using var db = Open(dataDirectory);
        var tables = new List<string>();
        await using (var list = db.CreateCommand())
        {
            list.CommandText = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        foreach (var table in tables)
        {
            await using var rows = db.CreateCommand();
            rows.CommandText = $"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM \"{table}\" t";
            contents.Add(Encoding.UTF8.GetBytes((string)(await rows.ExecuteScalarAsync())!));
        }
        return contents;
    }

    /// <summary>Copies the database of one data folder to another in a consistent state, as a crash leaves it.</summary>
    public static async Task CopyAsync(string fromDataDirectory, string toDataDirectory)
    {
        if (!IsPostgres)
        {
            await using var source = (SqliteConnection)Open(fromDataDirectory);
            await using var copy = new SqliteConnection($"Data Source={Path.Combine(toDataDirectory, DataSetup.DatabaseFile)};Pooling=False");
            copy.Open();
            source.BackupDatabase(copy);
            return;
        }
        // PostgreSQL copies a database only while nobody is connected to it: the server being "crashed" loses its
        // connections here, which is what a crash would do to them too.
        await using var admin = new NpgsqlConnection(AdministratorConnectionString);
        await admin.OpenAsync();
        await using (var disconnect = new NpgsqlCommand(
                         $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{NameFor(fromDataDirectory)}'", admin))
            await disconnect.ExecuteNonQueryAsync();
        await using var copyDatabase = new NpgsqlCommand(
            $"CREATE DATABASE \"{NameFor(toDataDirectory)}\" TEMPLATE \"{NameFor(fromDataDirectory)}\"", admin);
        await copyDatabase.ExecuteNonQueryAsync();
    }

    /// <summary>Takes the database away from under a running server: deletes the SQLite files, or drops the
    /// PostgreSQL database.</summary>
    public static void Destroy(string dataDirectory)
    {
        if (IsPostgres)
        {
            Drop(dataDirectory);
            return;
        }
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.EnumerateFiles(dataDirectory, $"{DataSetup.DatabaseFile}*")) File.Delete(file);
    }

    public static void Drop(string dataDirectory)
    {
        if (!IsPostgres) return;
        using (var pooled = new NpgsqlConnection(ConnectionString(dataDirectory))) NpgsqlConnection.ClearPool(pooled);
        using var admin = new NpgsqlConnection(AdministratorConnectionString);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{NameFor(dataDirectory)}\" WITH (FORCE)", admin);
        drop.ExecuteNonQuery();
    }

    private static string ConnectionString(string dataDirectory) =>
        new NpgsqlConnectionStringBuilder(AdministratorConnectionString) { Database = NameFor(dataDirectory) }.ToString();

    private static string AdministratorConnectionString =>
        Environment.GetEnvironmentVariable("PEERCALL_TEST_POSTGRES") is { Length: > 0 } configured
            ? configured
            : throw new InvalidOperationException(
                "PEERCALL_TEST_DATABASE=postgres needs PEERCALL_TEST_POSTGRES, a connection string of a PostgreSQL " +
                "administrator; tests/with-postgres.sh starts a server and sets both.");

    private static string NameFor(string dataDirectory) =>
        "peercall_test_" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDirectory))))[..20].ToLowerInvariant();
}

/// <summary>A test of the SQLite file itself (its journal mode, its place in the data folder), skipped when the
/// suite runs on PostgreSQL.</summary>
public sealed class SqliteOnlyFactAttribute : FactAttribute
{
    public SqliteOnlyFactAttribute()
    {
        if (TestDatabase.IsPostgres) Skip = "Checks the SQLite file; this run uses PostgreSQL.";
    }
}
