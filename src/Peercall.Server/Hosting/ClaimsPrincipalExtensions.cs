using System.Security.Claims;

namespace Peercall.Server.Hosting;

public static class ClaimsPrincipalExtensions
{
    public const string SessionClaim = "sid";
    public const string SubjectClaim = "sub";

    public static bool IsSignedIn(this ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true && principal.FindFirst(SubjectClaim) is not null;

    public static Guid UserId(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(SubjectClaim) ?? throw new InvalidOperationException("No subject claim."));

    public static Guid SessionId(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(SessionClaim) ?? throw new InvalidOperationException("No session claim."));
}
