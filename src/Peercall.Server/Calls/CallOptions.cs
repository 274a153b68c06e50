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

    /// <summary>How many people a call may hold (joined or ringing) with media peer to peer between each pair. Each
    /// sends its media once per other person, so this is bounded by the weakest device's upload and processor.</summary>
    [Range(2, 6)]
    public int MeshMaxParticipants { get; set; } = 6;

    /// <summary>How often ringing and orphaned calls are checked.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class IceOptions : IValidatableObject
{
    public const string Section = "Peercall:Ice";

    /// <summary>STUN servers handed to every client, e.g. "stun:turn.example.org:3478". None on a LAN.</summary>
    public List<string> StunUrls { get; set; } = [];

    /// <summary>TURN servers whose credentials are minted per user (TURN REST API, coturn's use-auth-secret).</summary>
    public TurnOptions Turn { get; set; } = new();

    /// <summary>ICE servers with fixed credentials, handed out as they are.</summary>
    public List<IceServerOptions> Servers { get; set; } = [];

    /// <summary>"all", or "relay" to force every call through TURN.</summary>
    [RegularExpression("^(all|relay)$", ErrorMessage = "Peercall:Ice:TransportPolicy is 'all' or 'relay'.")]
    public string TransportPolicy { get; set; } = "all";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var url in StunUrls.Where(u => !u.StartsWith("stun:") && !u.StartsWith("stuns:")))
            yield return new ValidationResult($"Peercall:Ice:StunUrls: '{url}' does not start with 'stun:' or 'stuns:'.");
        foreach (var url in Turn.Urls.Where(u => !u.StartsWith("turn:") && !u.StartsWith("turns:")))
            yield return new ValidationResult($"Peercall:Ice:Turn:Urls: '{url}' does not start with 'turn:' or 'turns:'.");
        if (Turn.Urls.Count > 0 && (Turn.SharedSecret?.Length ?? 0) < TurnOptions.MinSecretLength)
            yield return new ValidationResult(
                $"Peercall:Ice:Turn:SharedSecret must be set (at least {TurnOptions.MinSecretLength} characters, the " +
                "same as coturn's static-auth-secret) when Peercall:Ice:Turn:Urls are configured.");
        if (Turn.Urls.Count == 0 && !string.IsNullOrEmpty(Turn.SharedSecret))
            yield return new ValidationResult("Peercall:Ice:Turn:SharedSecret is set but Peercall:Ice:Turn:Urls is empty.");
        if (Turn.CredentialLifetime < TimeSpan.FromSeconds(1) || Turn.CredentialLifetime > TimeSpan.FromDays(7))
            yield return new ValidationResult("Peercall:Ice:Turn:CredentialLifetime is between 00:00:01 and 7.00:00:00.");
    }
}

public sealed class TurnOptions
{
    public const int MinSecretLength = 16;

    /// <summary>e.g. "turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp".</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>coturn's static-auth-secret. Anyone who knows it can use the TURN server.</summary>
    public string? SharedSecret { get; set; }

    /// <summary>How long issued credentials stay valid. Clients fetch new ones before they expire; coturn checks
    /// the expiry when an allocation is made or refreshed, so a call longer than this needs a refresh.</summary>
    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromHours(12);
}

public sealed class IceServerOptions
{
    [MinLength(1)]
    public List<string> Urls { get; set; } = [];
    public string? Username { get; set; }
    public string? Credential { get; set; }
}
