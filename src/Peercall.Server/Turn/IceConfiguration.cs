using Peercall.Contracts.Calls;
using Peercall.Server.Calls;

namespace Peercall.Server.Turn;

/// <summary>The ICE servers one user's browser gets: configured STUN, TURN with credentials minted for that user,
/// then the servers with fixed credentials.</summary>
public static class IceConfiguration
{
    public static RtcConfiguration For(IceOptions options, Guid userId, DateTimeOffset now)
    {
        var servers = new List<IceServer>();
        if (options.StunUrls.Count > 0) servers.Add(new IceServer(options.StunUrls));

        DateTimeOffset? expiresAt = null;
        if (options.Turn is { Urls.Count: > 0, SharedSecret: { } secret })
        {
            // Whole seconds, so expiresAt is exactly the expiry the TURN server reads from the username.
            var expiry = DateTimeOffset.FromUnixTimeSeconds((now + options.Turn.CredentialLifetime).ToUnixTimeSeconds());
            var (username, password) = TurnCredentials.Issue(secret, userId, expiry);
            servers.Add(new IceServer(options.Turn.Urls, username, password));
            expiresAt = expiry;
        }

        servers.AddRange(options.Servers.Select(s => new IceServer(s.Urls, s.Username, s.Credential)));
        return new RtcConfiguration(servers, options.TransportPolicy, expiresAt);
    }
}
