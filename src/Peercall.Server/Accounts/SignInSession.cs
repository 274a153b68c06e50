namespace Peercall.Server.Accounts;

/// <summary>One sign-in on one device. Access tokens carry its id; revoking it ends every token and realtime
/// connection issued under it.</summary>
public sealed class SignInSession
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }
}

/// <summary>An opaque refresh token, stored only as its SHA-256 hash. Each is used once; a second use means
/// it was stolen, and revokes its whole session.</summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public string TokenHash { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? ConsumedAt { get; set; }
}
