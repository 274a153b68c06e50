namespace Peercall.Server.Data;

public static class StoredTime
{
    /// <summary>Now, to the whole microsecond: the finest time PostgreSQL keeps (SQLite keeps more). A time that
    /// is stored and also handed out at once is then the same as the one read back later, on either database.</summary>
    public static DateTimeOffset StoredNow(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMicrosecond));
    }

    /// <inheritdoc cref="StoredNow"/>
    public static DateTime StoredUtcNow(this TimeProvider time) => time.StoredNow().UtcDateTime;
}
