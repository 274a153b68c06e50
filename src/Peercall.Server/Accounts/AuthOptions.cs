using System.ComponentModel.DataAnnotations;

namespace Peercall.Server.Accounts;

public sealed class AuthOptions
{
    public const string Section = "Peercall:Auth";
    public const string Issuer = "peercall";
    public const string Audience = "peercall";

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    [Range(typeof(TimeSpan), "00:05:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Base64 of at least 32 bytes. When empty, a key is generated into the data folder on first start.</summary>
    public string? SigningKey { get; set; }

    [Range(1, 100)]
    public int MaxFailedSignIns { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class RateLimitOptions
{
    public const string Section = "Peercall:RateLimits";
    public const string AuthPolicy = "auth";

    /// <summary>Sign-in, registration and refresh requests allowed per client address in each window.</summary>
    [Range(1, 1_000_000)]
    public int AuthPermitLimit { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AuthWindow { get; set; } = TimeSpan.FromMinutes(1);
}
