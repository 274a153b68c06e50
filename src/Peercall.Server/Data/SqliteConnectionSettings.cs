using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Peercall.Server.Data;

/// <summary>
/// SQLite's per-connection settings, applied each time EF Core opens a connection. In WAL mode
/// <c>synchronous=NORMAL</c> is what SQLite recommends: a commit no longer waits for the disk to flush (only
/// checkpoints do), the database cannot be corrupted, and a power cut (not a crash) may lose the latest
/// transactions. With FULL, SQLite's default, every call placement waited for an fsync, and a busy disk
/// made one in a hundred take 300 ms.
/// </summary>
public sealed class SqliteConnectionSettings : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
