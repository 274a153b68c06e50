using System.Net;
using System.Net.Http.Json;
using Peercall.Contracts;
using Peercall.Contracts.Accounts;
using Peercall.Server.Tests.Infrastructure;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Server.Tests.Accounts;

public sealed class SignInTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Fact]
    public async Task Signing_in_gives_a_15_minute_hs256_jwt_an_opaque_refresh_token_and_the_user()
    {
        var user = await server.SignUpAsync("jwt");
        var pair = await server.NewApi().LoginAsync(new LoginRequest(user.Username, user.Password));

        var header = Jwt.Header(pair.AccessToken);
        Assert.Equal("HS256", header.GetProperty("alg").GetString());
        var payload = Jwt.Payload(pair.AccessToken);
        var issuedAt = Jwt.Time(payload, "iat");
        var expires = Jwt.Time(payload, "exp");
        Assert.Equal(server.Time.GetUtcNow(), issuedAt, TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromMinutes(15), expires - issuedAt);
        Assert.Equal(pair.ExpiresAt, expires, TimeSpan.FromSeconds(1));
        Assert.Equal(user.Id.ToString(), payload.GetProperty("sub").GetString());

        Assert.DoesNotContain('.', pair.RefreshToken);
        Assert.True(pair.RefreshToken.Length >= 43, "A refresh token carries at least 256 random bits.");
        Assert.Equal(user.Profile, pair.User);
    }

    [Fact]
    public async Task Every_sign_in_gives_different_tokens()
    {
        var user = await server.SignUpAsync("twice");
        var first = await server.NewApi().LoginAsync(new LoginRequest(user.Username, user.Password));
        var second = await server.NewApi().LoginAsync(new LoginRequest(user.Username, user.Password));
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.NotEqual(Jwt.Payload(first.AccessToken).GetProperty("sid").GetString(),
            Jwt.Payload(second.AccessToken).GetProperty("sid").GetString());
    }

    [Fact]
    public async Task Usernames_are_matched_without_regard_to_case()
    {
        var user = await server.SignUpAsync("MixedCase");
        var pair = await server.NewApi().LoginAsync(new LoginRequest(user.Username.ToUpperInvariant(), user.Password));
        Assert.Equal(user.Id, pair.User.Id);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_user_get_the_same_401()
    {
        var user = await server.SignUpAsync("secret");

        using var wrongPassword = await server.SendAsync(HttpMethod.Post, "api/auth/login",
            $$"""{"username":"{{user.Username}}","password":"not the password"}""");
        using var unknownUser = await server.SendAsync(HttpMethod.Post, "api/auth/login",
            $$"""{"username":"nobody{{user.Username}}","password":"not the password"}""");

        var a = await Refusals.ProblemAsync(wrongPassword, HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials);
        var b = await Refusals.ProblemAsync(unknownUser, HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials);
        foreach (var field in new[] { "title", "detail", "code", "status", "type" })
            Assert.Equal(a.TryGetProperty(field, out var x) ? x.ToString() : null, b.TryGetProperty(field, out var y) ? y.ToString() : null);
    }

    [Fact]
    public async Task The_me_endpoint_returns_the_signed_in_user()
    {
        var user = await server.SignUpAsync("me", displayName: "Me Myself");
        var me = await user.Api.GetMeAsync();
        Assert.Equal(user.Profile, me);
        Assert.Equal("Me Myself", me.DisplayName);
    }

    [Fact]
    public async Task The_me_endpoint_needs_a_token()
    {
        using var response = await server.SendAsync(HttpMethod.Get, "api/users/me");
        await Refusals.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task Refresh_returns_a_new_pair_and_the_old_refresh_token_is_refused_afterwards()
    {
        var user = await server.SignUpAsync("rotate");
        var first = user.Api.Session!;
        await server.AdvanceAsync(TimeSpan.FromSeconds(5));

        using var refreshed = await server.SendAsync(HttpMethod.Post, "api/auth/refresh",
            $$"""{"refreshToken":"{{first.RefreshToken}}"}""");
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var second = (await refreshed.Content.ReadFromJsonAsync<TokenPair>())!;
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(user.Profile, second.User);
        Assert.Equal(server.Time.GetUtcNow() + TimeSpan.FromMinutes(15), second.ExpiresAt, TimeSpan.FromSeconds(2));
        Assert.Equal(first.User.Id.ToString(), Jwt.Payload(second.AccessToken).GetProperty("sub").GetString());
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, "api/users/me", accessToken: second.AccessToken)).StatusCode);

        using var reused = await server.SendAsync(HttpMethod.Post, "api/auth/refresh",
            $$"""{"refreshToken":"{{first.RefreshToken}}"}""");
        await Refusals.ProblemAsync(reused, HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken);
    }

    [Fact]
    public async Task Reusing_a_used_refresh_token_ends_the_whole_session()
    {
        var user = await server.SignUpAsync("stolen");
        var stolen = user.Api.Session!.RefreshToken;
        var current = await user.Api.RefreshAsync();
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, "api/users/me", accessToken: current.AccessToken)).StatusCode);

        using var theft = await server.SendAsync(HttpMethod.Post, "api/auth/refresh", $$"""{"refreshToken":"{{stolen}}"}""");
        var problem = await Refusals.ProblemAsync(theft, HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken);
        Assert.Contains("already used", problem.GetProperty("detail").GetString());

        using var newer = await server.SendAsync(HttpMethod.Post, "api/auth/refresh",
            $$"""{"refreshToken":"{{current.RefreshToken}}"}""");
        await Refusals.ProblemAsync(newer, HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken);
        using var access = await server.SendAsync(HttpMethod.Get, "api/users/me", accessToken: current.AccessToken);
        await Refusals.ProblemAsync(access, HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized);
    }

    [Fact]
    public async Task Reuse_in_one_session_leaves_the_users_other_sessions_alone()
    {
        var phone = await server.SignUpAsync("twosessions");
        var laptop = await phone.SignInAgainAsync();
        var stolen = phone.Api.Session!.RefreshToken;
        await phone.Api.RefreshAsync();
        await server.SendAsync(HttpMethod.Post, "api/auth/refresh", $$"""{"refreshToken":"{{stolen}}"}""");

        Assert.Equal(phone.Id, (await laptop.Api.GetMeAsync()).Id);
        await laptop.Api.RefreshAsync();
    }

    [Fact]
    public async Task A_refresh_token_expires_after_its_lifetime()
    {
        // A short lifetime: moving the fake clock by the default 30 days would tick every timer a million times.
        await using var own = new PeercallServer(new() { ["Peercall:Auth:RefreshTokenLifetime"] = "00:10:00" });
        var user = await own.SignUpAsync("dormant");
        var refreshToken = user.Api.Session!.RefreshToken;

        await own.AdvanceAsync(TimeSpan.FromMinutes(9));
        var rotated = await own.SendAsync(HttpMethod.Post, "api/auth/refresh", $$"""{"refreshToken":"{{refreshToken}}"}""");
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        refreshToken = (await rotated.Content.ReadFromJsonAsync<TokenPair>())!.RefreshToken;

        await own.AdvanceAsync(TimeSpan.FromMinutes(11));

        using var response = await own.SendAsync(HttpMethod.Post, "api/auth/refresh", $$"""{"refreshToken":"{{refreshToken}}"}""");
        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken);
        Assert.Contains("expired", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unknown_refresh_token_is_refused()
    {
        using var response = await server.SendAsync(HttpMethod.Post, "api/auth/refresh", """{"refreshToken":"made-up"}""");
        await Refusals.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_and_closes_its_realtime_connections_only()
    {
        var phone = await server.SignUpAsync("signout");
        var laptop = await phone.SignInAgainAsync();
        var watcher = await server.SignUpAsync("watcher");
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(phone);
        await using var phoneDevice = await phone.ConnectAsync();
        await using var laptopDevice = await laptop.ConnectAsync();
        var session = phone.Api.Session!;

        using var logout = await server.SendAsync(HttpMethod.Post, "api/auth/logout", accessToken: session.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        await phoneDevice.ClosedWith.Task.WaitAsync(TestDevice.EventTimeout);
        using var access = await server.SendAsync(HttpMethod.Get, "api/users/me", accessToken: session.AccessToken);
        await Refusals.ProblemAsync(access, HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized);
        using var refresh = await server.SendAsync(HttpMethod.Post, "api/auth/refresh",
            $$"""{"refreshToken":"{{session.RefreshToken}}"}""");
        await Refusals.ProblemAsync(refresh, HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken);

        // The other session of the same user is untouched: still signed in, still connected, still online.
        Assert.False(laptopDevice.Lost.Task.IsCompleted);
        Assert.Equal(phone.Id, (await laptop.Api.GetMeAsync()).Id);
        Assert.True(await TestDevice.NothingAsync(watching.Presence,
            p => p.UserId == phone.Id && p.Presence == PresenceState.Offline));
        var contact = Assert.Single((await watcher.Api.GetContactsAsync(phone.Username)).Items);
        Assert.Equal(PresenceState.Online, contact.Presence);
    }

    [Fact]
    public async Task Signing_out_needs_a_token()
    {
        using var response = await server.SendAsync(HttpMethod.Post, "api/auth/logout");
        await Refusals.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized);
    }
}
