using System.ComponentModel.DataAnnotations;

namespace Peercall.Server.Certificates;

/// <summary>
/// HTTPS on the LAN. Unless URLs are given explicitly (--urls, ASPNETCORE_URLS, Kestrel:Endpoints), the server
/// listens for HTTPS on every interface at <see cref="Port"/>, and for plain HTTP at <see cref="HttpPort"/>, which
/// serves loopback and sends everyone else to HTTPS.
/// </summary>
public sealed class HttpsOptions : IValidatableObject
{
    public const string Section = "Peercall:Https";

    [Range(1, 65535)]
    public int Port { get; set; } = 5001;

    [Range(1, 65535)]
    public int HttpPort { get; set; } = 5000;

    /// <summary>How long a generated server certificate is valid. Apple devices refuse more than 825 days.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "397.00:00:00")]
    public TimeSpan ServerCertificateLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>A generated server certificate is replaced this long before it expires.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the certificate is checked against the clock, the machine's addresses and the
    /// operator's certificate file.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>An operator's own certificate; when set, no certificate authority is generated.</summary>
    public OwnCertificateOptions Certificate { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RenewBefore >= ServerCertificateLifetime)
            yield return new ValidationResult("Peercall:Https:RenewBefore must be shorter than ServerCertificateLifetime.");
        if (Port == HttpPort)
            yield return new ValidationResult("Peercall:Https:Port and Peercall:Https:HttpPort must differ.");
        if (Certificate.Path is null && (Certificate.KeyPath ?? Certificate.Password) is not null)
            yield return new ValidationResult("Peercall:Https:Certificate:KeyPath and Password need Certificate:Path.");
    }
}

public sealed class OwnCertificateOptions
{
    /// <summary>A PEM certificate (with its chain, like Let's Encrypt's fullchain.pem) or a PFX/PKCS#12 file
    /// (.pfx or .p12).</summary>
    public string? Path { get; set; }

    /// <summary>The PEM private key, when it is not in the <see cref="Path"/> file itself.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PFX password, or the password of an encrypted PEM key.</summary>
    public string? Password { get; set; }
}
