using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Peercall.Server.Hosting;

namespace Peercall.Server.Data;

public static class DataSetup
{
    public const string DatabaseFile = "peercall.db";

    public static WebApplicationBuilder AddPeercallData(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DataFolder>();
        builder.Services.AddDbContext<PeercallDb>((services, options) =>
            options.UseSqlite(ConnectionString(services.GetRequiredService<DataFolder>())));
        builder.Services.AddHealthChecks().AddDbContextCheck<PeercallDb>("database");
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

    private static string ConnectionString(DataFolder folder) =>
        $"Data Source={folder.File(DatabaseFile)};Default Timeout=30";

    /// <summary>Lets `dotnet ef migrations add` build the model without starting the server.</summary>
    internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PeercallDb>
    {
        public PeercallDb CreateDbContext(string[] args) =>
            new(new DbContextOptionsBuilder<PeercallDb>().UseSqlite("Data Source=design-time.db").Options);
    }
}
