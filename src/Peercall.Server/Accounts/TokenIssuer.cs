using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Peercall.Contracts.Accounts;
using Peercall.Server.Data;
using Peercall.Server.Hosting;

namespace Peercall.Server.Accounts;

/// <summary>Writes access tokens and refresh tokens for a sign-in session.</summary>
public sealed class TokenIssuer(SigningKey key, IOptions<AuthOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    public (string Token, DateTime ExpiresAt) CreateAccessToken(User user, Guid sessionId)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var expires = now + options.Value.AccessTokenLifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthOptions.Issuer,
            Audience = AuthOptions.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            Subject = new ClaimsIdentity([
                new Claim(ClaimsPrincipalExtensions.SubjectClaim, user.Id.ToString()),
                new Claim(ClaimsPrincipalExtensions.SessionClaim, sessionId.ToString()),
                new Claim("name", user.UserName!),
            ]),
            SigningCredentials = new SigningCredentials(key.Key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }

    public (string Token, RefreshToken Record) CreateRefreshToken(Guid sessionId)
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var now = time.StoredUtcNow();
        return (token, new RefreshToken
        {
            Id = Guid.NewGuid(),
            SessionId = sessionId,
            TokenHash = Hash(token),
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
        });
    }

    public TokenPair Pair(User user, Guid sessionId, string refreshToken)
    {
        var (access, expires) = CreateAccessToken(user, sessionId);
        return new TokenPair(access, refreshToken, new DateTimeOffset(expires, TimeSpan.Zero), user.ToProfile());
    }

    /// <summary>Refresh tokens carry 256 random bits, so a fast hash is enough: nothing is left to brute-force.</summary>
    public static string Hash(string token) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = AuthOptions.Issuer,
        ValidAudience = AuthOptions.Audience,
        IssuerSigningKey = key.Key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = "name",
    };
}
