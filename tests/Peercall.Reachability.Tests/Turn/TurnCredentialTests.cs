using System.Security.Cryptography;
using System.Text;
using Peercall.Contracts.Calls;
using Peercall.Reachability.Tests.Infrastructure;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Reachability.Tests.Turn;

/// <summary>TURN REST API credentials from the real endpoint of a real server, checked by Debian's real coturn.</summary>
public sealed class TurnCredentialTests(Coturn coturn) : IClassFixture<Coturn>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    [Fact]
    public async Task A_lan_install_hands_out_no_ice_servers_and_nothing_to_refresh()
    {
        await using var server = new PeercallServer();
        var user = await server.SignUpAsync();

        var rtc = await user.Api.GetRtcConfigurationAsync();

        Assert.Empty(rtc.IceServers);
        Assert.Equal("all", rtc.IceTransportPolicy);
        Assert.Null(rtc.ExpiresAt);
    }

    [Fact]
    public async Task Credentials_follow_the_turn_rest_api_scheme_and_say_when_they_expire()
    {
        await using var server = ServerFor(coturn.Secret, extra: new() { ["Peercall:Ice:StunUrls:0"] = "stun:127.0.0.1:3478" });
        var user = await server.SignUpAsync();

        var rtc = await user.Api.GetRtcConfigurationAsync();

        var expiry = DateTimeOffset.FromUnixTimeSeconds((server.Time.GetUtcNow() + Lifetime).ToUnixTimeSeconds());
        Assert.Equal(expiry, rtc.ExpiresAt);
        Assert.Equal(["stun:127.0.0.1:3478"], rtc.IceServers[0].Urls);
        Assert.Null(rtc.IceServers[0].Username);
        var turn = rtc.IceServers[1];
        Assert.Equal([coturn.Url], turn.Urls);
        Assert.Equal($"{expiry.ToUnixTimeSeconds()}:{user.Id}", turn.Username);
        var hmac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(coturn.Secret), Encoding.UTF8.GetBytes(turn.Username!));
        Assert.Equal(Convert.ToBase64String(hmac), turn.Credential);
    }

    [Fact]
    public async Task Coturn_relays_for_credentials_issued_by_the_server()
    {
        await using var server = ServerFor(coturn.Secret);
        var turn = await TurnServerOf(await server.SignUpAsync());

        var result = await coturn.AllocateAsync(turn.Username!, turn.Credential!);

        Assert.True(result.ExitCode == 0, $"coturn refused credentials issued by the server: {result}\ncoturn log:\n{coturn.Log}");
        // Relayed over UDP on a shared, busy machine a message may be lost; one that comes back through the
        // allocation proves coturn accepted the credentials and relayed for them.
        var counts = System.Text.RegularExpressions.Regex.Matches(result.Output, @"tot_send_msgs=(\d+), tot_recv_msgs=(\d+)")
            .LastOrDefault();
        Assert.True(counts is not null, $"turnutils_uclient printed no message counts:\n{result.Output}");
        Assert.True(int.Parse(counts!.Groups[2].Value) > 0, $"Nothing came back through the relay:\n{result.Output}");
    }

    [Fact]
    public async Task Coturn_refuses_credentials_that_have_expired()
    {
        await using var server = ServerFor(coturn.Secret);
        var user = await server.SignUpAsync();
        var fresh = await TurnServerOf(user);
        Assert.Equal(0, (await coturn.AllocateAsync(fresh.Username!, fresh.Credential!)).ExitCode);

        // The server's clock two lifetimes back: what it issues now expired an hour ago by coturn's real clock.
        server.Time.AdjustTime(DateTimeOffset.UtcNow - 2 * Lifetime);
        var expired = await TurnServerOf(user);
        Assert.True(DateTimeOffset.FromUnixTimeSeconds(long.Parse(expired.Username!.Split(':')[0])) < DateTimeOffset.UtcNow);

        var result = await coturn.AllocateAsync(expired.Username!, expired.Credential!);

        AssertRefused(result);
    }

    [Fact]
    public async Task Coturn_refuses_credentials_signed_with_another_secret()
    {
        await using var server = ServerFor("not-the-secret-coturn-was-given");
        var turn = await TurnServerOf(await server.SignUpAsync());

        var result = await coturn.AllocateAsync(turn.Username!, turn.Credential!);

        AssertRefused(result);
    }

    private PeercallServer ServerFor(string secret, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Peercall:Ice:Turn:Urls:0"] = coturn.Url,
            ["Peercall:Ice:Turn:SharedSecret"] = secret,
            ["Peercall:Ice:Turn:CredentialLifetime"] = Lifetime.ToString(),
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return new PeercallServer(settings);
    }

    private static async Task<IceServer> TurnServerOf(TestUser user)
    {
        var rtc = await user.Api.GetRtcConfigurationAsync();
        return Assert.Single(rtc.IceServers, s => s.Urls.Any(u => u.StartsWith("turn:")));
    }

    private void AssertRefused(ProcessResult result)
    {
        Assert.True(result.ExitCode != 0, $"coturn accepted credentials it must refuse: {result}");
        // The refusal is the allocation's, not a failure to reach coturn.
        Assert.Contains("Cannot complete Allocation", result.Output);
        Assert.Contains("check_stun_auth", coturn.Log);
    }
}
