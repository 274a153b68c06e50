namespace Peercall.Contracts.Accounts;

public sealed record RegisterRequest(string Username, string Password, string? DisplayName = null);

public sealed record LoginRequest(string Username, string Password);

public sealed record RefreshRequest(string RefreshToken);

public sealed record UserProfile(Guid Id, string Username, string DisplayName, DateTimeOffset CreatedAt);

/// <summary>A signed-in session: a short-lived JWT plus an opaque refresh token that rotates on every use.</summary>
public sealed record TokenPair(string AccessToken, string RefreshToken, DateTimeOffset ExpiresAt, UserProfile User);

/// <summary>The rules the server enforces on account fields, shared so clients can check input before sending it.</summary>
public static class AccountRules
{
    public const int UsernameMinLength = 3;
    public const int UsernameMaxLength = 32;
    public const int PasswordMinLength = 8;
    public const int PasswordMaxLength = 256;
    public const int DisplayNameMaxLength = 64;
    public const string UsernamePattern = @"^[\p{L}\p{Nd}._-]{3,32}$";
}
