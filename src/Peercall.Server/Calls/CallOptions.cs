using System.ComponentModel.DataAnnotations;

namespace Peercall.Server.Calls;

public sealed class CallOptions
{
    public const string Section = "Peercall:Calls";

    /// <summary>How long a call rings before it counts as missed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RingTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>How long an accepted call survives a party's lost connection, waiting for it to come back.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often ringing and orphaned calls are checked.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class IceOptions
{
    public const string Section = "Peercall:Ice";

    public List<IceServerOptions> Servers { get; set; } = [];

    /// <summary>"all", or "relay" to force every call through TURN.</summary>
    [RegularExpression("^(all|relay)$", ErrorMessage = "Peercall:Ice:TransportPolicy is 'all' or 'relay'.")]
    public string TransportPolicy { get; set; } = "all";
}

public sealed class IceServerOptions
{
    [MinLength(1)]
    public List<string> Urls { get; set; } = [];
    public string? Username { get; set; }
    public string? Credential { get; set; }
}
