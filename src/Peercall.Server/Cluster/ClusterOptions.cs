using System.ComponentModel.DataAnnotations;

namespace Peercall.Server.Cluster;

/// <summary>
/// Several nodes that share one PostgreSQL database and one Redis server act as one Peercall server. Without a
/// Redis connection string the server is a single node and nothing here is used.
/// </summary>
public sealed class ClusterOptions
{
    public const string Section = "Peercall:Redis";

    /// <summary>StackExchange.Redis configuration, e.g. "redis.internal:6379,password=…". Empty: a single node.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>This node's name in logs and in Redis; the machine name by default. A fresh suffix is added on
    /// every start, so a node that restarts quickly is never mistaken for its crashed self.</summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Peercall:Redis:NodeId is 1 to 64 letters, digits, '.', '_' or '-'.")]
    public string NodeId { get; set; } = Environment.MachineName;

    /// <summary>Every key and channel starts with this, so several deployments can share one Redis.</summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,32}$", ErrorMessage = "Peercall:Redis:KeyPrefix is 1 to 32 letters, digits, '.', '_' or '-'.")]
    public string KeyPrefix { get; set; } = "peercall";

    /// <summary>How often a node tells the others it is alive.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A node silent this long counts as crashed: its connections are dropped and its users go offline
    /// everywhere. Keep it several heartbeats long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => !string.IsNullOrWhiteSpace(ConnectionString);
}
