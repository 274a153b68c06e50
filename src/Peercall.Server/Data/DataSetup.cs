using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Options;
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

    /// <summary>Brings the database to the current schema before the server takes requests.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PeercallDb>();
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        await db.Database.MigrateAsync();
    }

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
