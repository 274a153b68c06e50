using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Peercall.Server.Hosting;

namespace Peercall.Server.Accounts;

/// <summary>What makes an access token good here beyond its signature and lifetime: it names a user and a sign-in
/// session that is still active. Used by the JWT bearer handler for HTTP, and by the realtime channel for the
/// WebSockets it opens before HTTP sees them, so both accept exactly the same tokens.</summary>
public sealed class SessionTokens(IOptionsMonitor<JwtBearerOptions> jwt, IServiceScopeFactory scopes)
{
    /// <summary>The principal a connection keeps (subject and session only), or null when the token is refused.</summary>
    public async Task<ClaimsPrincipal?> ValidateAsync(string token)
    {
        var options = jwt.Get(JwtBearerDefaults.AuthenticationScheme);
        foreach (var handler in options.TokenHandlers)
        {
            var result = await handler.ValidateTokenAsync(token, options.TokenValidationParameters);
            if (result.IsValid)
                return (await CheckAsync(new ClaimsPrincipal(result.ClaimsIdentity), JwtBearerDefaults.AuthenticationScheme)).Principal;
        }
        return null;
    }

    /// <summary>The slim principal of a validated token, or why it is refused.</summary>
    public async Task<(ClaimsPrincipal? Principal, string? Refusal)> CheckAsync(ClaimsPrincipal principal, string scheme)
    {
        if (principal.FindFirstValue(ClaimsPrincipalExtensions.SubjectClaim) is not { } subject
            || !Guid.TryParse(subject, out _)
            || principal.FindFirstValue(ClaimsPrincipalExtensions.SessionClaim) is not { } session
            || !Guid.TryParse(session, out var sessionId))
            return (null, "The token does not name a user and a sign-in session.");
        // A scope of its own: a request's scope lives as long as a WebSocket does, and would keep a database
        // context alive for every realtime connection.
        await using var scope = scopes.CreateAsyncScope();
        if (!await scope.ServiceProvider.GetRequiredService<AccountService>().IsSessionActiveAsync(sessionId))
            return (null, "The session of this token has ended.");
        // The server reads nothing else of the token. A realtime connection keeps its principal while it is open,
        // and the validated token behind it (every claim, the parsed JSON) would cost a few kilobytes per connection.
        return (new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimsPrincipalExtensions.SubjectClaim, subject), new Claim(ClaimsPrincipalExtensions.SessionClaim, session)],
            scheme)), null);
    }
}
