using Microsoft.Extensions.Options;

namespace Peercall.Server.Cluster;

/// <summary>This node's identity among the others: its configured name plus a suffix fresh on every start, and
/// again whenever the others took it for dead, so that what they clean up and what it registers anew never mix.</summary>
public sealed class NodeIdentity(IOptions<ClusterOptions> options)
{
    private string _id = NewId(options.Value.NodeId);

    public string Id => Volatile.Read(ref _id);

    /// <summary>What every key and channel of this deployment starts with.</summary>
    public string Prefix => options.Value.KeyPrefix;

    /// <summary>A Redis key or channel name under the configured prefix.</summary>
    public string Key(string name) => $"{Prefix}:{name}";

    /// <summary>Takes a new identity; returns it.</summary>
    public string Renew()
    {
        var id = NewId(options.Value.NodeId);
        Volatile.Write(ref _id, id);
        return id;
    }

    private static string NewId(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..8]}";
}
