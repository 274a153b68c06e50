using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using Peercall.Server.Hosting;

namespace Peercall.Server.Data;

public sealed class DatabaseOptions
{
    public const string Section = "Peercall:Database";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>"sqlite" (a file in the data folder, the default) or "postgres".</summary>
    [RegularExpression("^(sqlite|postgres)$", ErrorMessage = "Peercall:Database:Provider is 'sqlite' or 'postgres'.")]
    public string Provider { get; set; } = Sqlite;

    /// <summary>Required for PostgreSQL, e.g. "Host=db;Database=peercall;Username=peercall;Password=…".</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long a starting server keeps trying a database it cannot reach before it gives up.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Peercall:Database:StartupWait is between 00:00:00 and 01:00:00.")]
    public TimeSpan StartupWait { get; set; } = TimeSpan.FromSeconds(60);
}

public static class DataSetup
{
    public const string DatabaseFile = "peercall.db";

    public static WebApplicationBuilder AddPeercallData(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<DataFolder>();
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Provider != DatabaseOptions.Postgres || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Peercall:Database:ConnectionString is required when the provider is 'postgres'.")
            .ValidateOnStart();

        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new();
        if (database.Provider == DatabaseOptions.Postgres)
            services.AddDbContext<PeercallDb, PostgresPeercallDb>((provider, options) =>
                options.UseNpgsql(provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString),
                optionsLifetime: ServiceLifetime.Singleton);
        else
            services.AddDbContext<PeercallDb, SqlitePeercallDb>((provider, options) =>
                options.UseSqlite(SqliteConnectionString(provider.GetRequiredService<DataFolder>()))
                    .AddInterceptors(new SqliteConnectionSettings()),
                optionsLifetime: ServiceLifetime.Singleton);

        services.AddHealthChecks().AddDbContextCheck<PeercallDb>("database");
        return builder;
    }

    /// <summary>
    /// Brings the database to the current schema before the server takes requests. A database that cannot be
    /// reached yet (a PostgreSQL that starts beside the node, after a power cut or in the same compose file) is
    /// tried again until <see cref="DatabaseOptions.StartupWait"/> has passed. False, once the log says why, when
    /// the database cannot be used: the server then exits instead of serving requests it cannot keep.
    /// </summary>
    public static async Task<bool> MigrateDatabaseAsync(this WebApplication app)
    {
        var database = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILogger<PeercallDb>>();
        var waiting = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var db = NewMigrationContext(app.Services, database);
                if (db.Database.IsSqlite())
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
                await MigrateOneNodeAtATimeAsync(db);
                return true;
            }
            catch (Exception e) when (DatabaseError(e) is { IsTransient: true } error && waiting.Elapsed < database.StartupWait)
            {
                var left = database.StartupWait - waiting.Elapsed;
                var pause = left < StartupRetryPause ? left : StartupRetryPause;
                logger.LogWarning("The database cannot be reached yet ({Reason}); trying again in {Pause:0.#} s, for up to {Wait} s in all",
                    Reason(error), pause.TotalSeconds, database.StartupWait.TotalSeconds);
                await Task.Delay(pause);
            }
            catch (Exception e) when (DatabaseError(e) is { } error)
            {
                logger.LogCritical("Peercall cannot use its {Provider} database: {Reason}. Check Peercall:Database:ConnectionString "
                                   + "and that the database server is running; the server stops", database.Provider, Reason(error));
                return false;
            }
        }
    }

    private static readonly TimeSpan StartupRetryPause = TimeSpan.FromSeconds(2);

    /// <summary>The database's own error, also when EF Core's execution strategy wrapped a transient one ("An
    /// exception has been raised that is likely due to a transient failure").</summary>
    private static DbException? DatabaseError(Exception e) => e as DbException ?? e.InnerException as DbException;

    /// <summary>Any number shared by every Peercall node; it names the migration lock among PostgreSQL's advisory locks.</summary>
    private const long MigrationLockKey = 0x7065_6572_6361_6C6C;

    /// <summary>The nodes of a cluster start together and each applies what is pending. EF Core's own lock on
    /// PostgreSQL lasts one migration's transaction, so with two or more pending, two nodes both planned the same
    /// one and the second failed ("relation already exists"). A session lock held for the whole run lets one node
    /// migrate while the others wait, and then find nothing left to do.</summary>
    private static async Task MigrateOneNodeAtATimeAsync(PeercallDb db)
    {
        if (!db.Database.IsNpgsql())
        {
            await db.Database.MigrateAsync();
            return;
        }
        // The lock needs a database to connect to; EF Core would create a missing one itself, so this does first.
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync())
        {
            try
            {
                await creator.CreateAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // Another node created it a moment earlier.
            }
        }
        // Opened directly, not through EF Core, so that a database not up yet fails with its own DbException, which
        // the caller waits out, rather than EF Core's wrapper.
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLockKey})");
            await db.Database.MigrateAsync();
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockKey})");
        }
        finally
        {
            // Npgsql resets a pooled session when it is given back, which frees the lock if the run failed.
            await connection.CloseAsync();
        }
    }

    /// <summary>Npgsql says "Failed to connect to host:port" and leaves the why ("Connection refused") to the inner exception.</summary>
    private static string Reason(DbException e) =>
        e.InnerException is { } inner ? $"{e.Message.TrimEnd('.')} ({inner.Message.TrimEnd('.')})" : e.Message.TrimEnd('.');

    /// <summary>A context for the migration alone, which logs failed commands and connections at Debug: on an empty
    /// database EF Core reads the migrations table before creating it and logs that as a failed command
    /// (dotnet/efcore#37328), an error on the first start of every cluster that is none, and a database that is
    /// not up yet is said once, above, rather than twice. A migration that does fail still throws.</summary>
    private static PeercallDb NewMigrationContext(IServiceProvider services, DatabaseOptions database) =>
        database.Provider == DatabaseOptions.Postgres
            ? new PostgresPeercallDb(WithQuietCommandErrors(services.GetRequiredService<DbContextOptions<PostgresPeercallDb>>()))
            : new SqlitePeercallDb(WithQuietCommandErrors(services.GetRequiredService<DbContextOptions<SqlitePeercallDb>>()));

    private static DbContextOptions<T> WithQuietCommandErrors<T>(DbContextOptions<T> options) where T : DbContext =>
        new DbContextOptionsBuilder<T>(options)
            .ConfigureWarnings(warnings => warnings.Log(
                (RelationalEventId.CommandError, LogLevel.Debug), (RelationalEventId.ConnectionError, LogLevel.Debug))).Options;

    private static string SqliteConnectionString(DataFolder folder) =>
        $"Data Source={folder.File(DatabaseFile)};Default Timeout=30";

    /// <summary>Lets `dotnet ef migrations add --context SqlitePeercallDb` build the model without a server.</summary>
    internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePeercallDb>
    {
        public SqlitePeercallDb CreateDbContext(string[] args) =>
            new(new DbContextOptionsBuilder<SqlitePeercallDb>().UseSqlite("Data Source=design-time.db").Options);
    }

    /// <summary>Lets `dotnet ef migrations add --context PostgresPeercallDb` build the model; it never connects.</summary>
    internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresPeercallDb>
    {
        public PostgresPeercallDb CreateDbContext(string[] args) =>
            new(new DbContextOptionsBuilder<PostgresPeercallDb>().UseNpgsql("Host=localhost;Database=design_time").Options);
    }
}
