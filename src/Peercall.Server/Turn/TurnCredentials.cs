using System.Security.Cryptography;
using System.Text;

namespace Peercall.Server.Turn;

/// <summary>
/// Short-lived TURN credentials in the TURN REST API scheme, the one coturn checks with <c>use-auth-secret</c>:
/// the username carries its own expiry and the password is an HMAC of the username, so the TURN server needs
/// no user database and never calls us.
/// </summary>
public static class TurnCredentials
{
    public static (string Username, string Password) Issue(string sharedSecret, Guid userId, DateTimeOffset expiresAt)
    {
        var username = $"{expiresAt.ToUnixTimeSeconds()}:{userId}";
        var password = HMACSHA1.HashData(Encoding.UTF8.GetBytes(sharedSecret), Encoding.UTF8.GetBytes(username));
        return (username, Convert.ToBase64String(password));
    }
}
