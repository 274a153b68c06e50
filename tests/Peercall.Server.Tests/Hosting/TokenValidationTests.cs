using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Peercall.Client;
using Peercall.Contracts;
using Peercall.Server.Accounts;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Hosting;

/// <summary>
/// Every token that is not a live one of this server is refused with the same 401. Tokens are forged here with the
/// server's own key where that isolates one flaw, and the first test proves such forgeries are otherwise accepted.
/// </summary>
public sealed class TokenValidationTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private byte[] ServerKey => Convert.FromBase64String(File.ReadAllText(Path.Combine(server.DataDirectory, SigningKey.FileName)).Trim());

    [Fact]
    public async Task A_token_rebuilt_and_signed_with_the_servers_key_is_accepted()
    {
        var user = await server.SignUpAsync("control");
        var token = Jwt.Sign(Jwt.HeaderObject(user.AccessToken), Jwt.PayloadObject(user.AccessToken), ServerKey);
        using var response = await server.SendAsync(HttpMethod.Get, "api/users/me", accessToken: token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_token_works_until_it_expires_plus_the_clock_skew_and_not_after()
    {
        var user = await server.SignUpAsync("expiring");
        var token = user.AccessToken;

        await server.AdvanceAsync(Lifetime + ClockSkew - TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, "api/users/me", accessToken: token)).StatusCode);

        await server.AdvanceAsync(TimeSpan.FromSeconds(10));
        await AssertRefusedAsync(token);
    }

    [Fact]
    public async Task A_token_whose_claims_were_changed_after_signing_is_refused()
    {
        var mallory = await server.SignUpAsync("mallory");
        var victim = await server.SignUpAsync("victim");
        var parts = mallory.AccessToken.Split('.');
        var payload = Jwt.PayloadObject(mallory.AccessToken);
        payload["sub"] = victim.Id.ToString();

        await AssertRefusedAsync($"{parts[0]}.{Jwt.Encode(payload)}.{parts[2]}");
    }

    [Fact]
    public async Task A_token_with_a_damaged_signature_is_refused()
    {
        var user = await server.SignUpAsync("damaged");
        var token = user.AccessToken;
        var last = token[^2] == 'A' ? 'B' : 'A';
        await AssertRefusedAsync(token[..^2] + last + token[^1]);
        await AssertRefusedAsync(token[..token.LastIndexOf('.')] + ".");
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var user = await server.SignUpAsync("otherkey");
        await AssertRefusedAsync(Jwt.Sign(Jwt.HeaderObject(user.AccessToken), Jwt.PayloadObject(user.AccessToken),
            RandomNumberGenerator.GetBytes(64)));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    public async Task An_unsigned_alg_none_token_is_refused(string alg)
    {
        var user = await server.SignUpAsync("algnone");
        var payload = Jwt.PayloadObject(user.AccessToken);
        var header = Jwt.Encode(new JsonObject { ["alg"] = alg, ["typ"] = "JWT" });
        await AssertRefusedAsync($"{header}.{Jwt.Encode(payload)}.");
        await AssertRefusedAsync(Jwt.Unsigned(payload));
    }

    [Fact]
    public async Task A_token_signed_with_the_right_key_but_another_algorithm_is_refused()
    {
        var user = await server.SignUpAsync("hs512");
        var header = Jwt.HeaderObject(user.AccessToken);
        header["alg"] = "HS512";
        await AssertRefusedAsync(Jwt.Sign(header, Jwt.PayloadObject(user.AccessToken), ServerKey));
    }

    [Theory]
    [InlineData("iss", "someone-else")]
    [InlineData("aud", "someone-else")]
    [InlineData("exp", null)]
    [InlineData("sid", "5f0c7f2e-0000-0000-0000-000000000000")]
    [InlineData("sub", null)]
    public async Task A_correctly_signed_token_with_a_wrong_or_missing_claim_is_refused(string claim, string? value)
    {
        var user = await server.SignUpAsync("claims");
        var payload = Jwt.PayloadObject(user.AccessToken);
        if (value is null) payload.Remove(claim);
        else payload[claim] = value;
        await AssertRefusedAsync(Jwt.Sign(Jwt.HeaderObject(user.AccessToken), payload, ServerKey));
    }

    [Fact]
    public async Task A_correctly_signed_token_not_yet_valid_is_refused()
    {
        var user = await server.SignUpAsync("future");
        var payload = Jwt.PayloadObject(user.AccessToken);
        var later = server.Time.GetUtcNow() + TimeSpan.FromMinutes(5);
        payload["nbf"] = later.ToUnixTimeSeconds();
        payload["iat"] = later.ToUnixTimeSeconds();
        payload["exp"] = (later + Lifetime).ToUnixTimeSeconds();
        await AssertRefusedAsync(Jwt.Sign(Jwt.HeaderObject(user.AccessToken), payload, ServerKey));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9..")]
    [InlineData("....")]
    [InlineData("' OR 1=1 --")]
    public async Task Garbage_tokens_are_refused(string token) => await AssertRefusedAsync(token);

    [Fact]
    public async Task A_very_long_garbage_token_is_refused()
    {
        await AssertRefusedAsync(new string('x', 8 * 1024));
    }

    [Fact]
    public async Task A_token_in_the_query_string_counts_only_for_the_realtime_hub()
    {
        var user = await server.SignUpAsync("query");
        using var response = await server.SendAsync(HttpMethod.Get, $"api/users/me?access_token={user.AccessToken}");
        await Refusals.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized);
    }

    [Fact]
    public async Task Another_authorization_scheme_is_refused()
    {
        var user = await server.SignUpAsync("basic");
        using var http = server.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/users/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("a:b"u8.ToArray()));
        using var response = await http.SendAsync(request);
        await Refusals.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized);
    }

    [Fact]
    public async Task The_realtime_hub_refuses_connections_without_a_valid_token()
    {
        var user = await server.SignUpAsync("hubtoken");
        var forged = Jwt.Sign(Jwt.HeaderObject(user.AccessToken), Jwt.PayloadObject(user.AccessToken),
            RandomNumberGenerator.GetBytes(64));
        foreach (var token in new[] { null, "garbage", forged, Jwt.Unsigned(Jwt.PayloadObject(user.AccessToken)) })
        {
            await using var connection = new SignalingConnection(server.BaseAddress, () => Task.FromResult(token));
            var e = await Assert.ThrowsAnyAsync<Exception>(() => connection.StartAsync());
            Assert.Contains("401", e.Message);
        }

        await using var valid = new SignalingConnection(server.BaseAddress, () => Task.FromResult<string?>(user.AccessToken));
        await valid.StartAsync();
    }

    private async Task AssertRefusedAsync(string token)
    {
        using var response = await server.SendAsync(HttpMethod.Get, "api/users/me", accessToken: token);
        await Refusals.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }
}
