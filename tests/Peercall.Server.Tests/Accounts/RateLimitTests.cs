using System.Net;
using System.Text.Json;
using Peercall.Contracts;
using Peercall.Contracts.Accounts;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Accounts;

/// <summary>Each test has its own server with a low limit, since every test client shares one address.</summary>
public sealed class RateLimitTests
{
    private const int Limit = 4;

    [Fact]
    public async Task Sign_in_past_the_limit_gets_429_problem_details_with_retry_after()
    {
        await using var server = new PeercallServer(new() { ["Peercall:RateLimits:AuthPermitLimit"] = $"{Limit}" });
        var username = server.UniqueName("limited");
        await server.NewApi().RegisterAsync(new RegisterRequest(username, "long enough"));
        var login = JsonSerializer.Serialize(new { username, password = "long enough" });
        for (var i = 1; i < Limit; i++)
            Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Post, "api/auth/login", login)).StatusCode);

        using var refused = await server.SendAsync(HttpMethod.Post, "api/auth/login", login);

        await Refusals.ProblemAsync(refused, HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Registration_sign_in_and_refresh_share_the_limit_and_other_endpoints_are_not_limited()
    {
        await using var server = new PeercallServer(new() { ["Peercall:RateLimits:AuthPermitLimit"] = $"{Limit}" });
        var user = await server.SignUpAsync("shared"); // one registration and one sign-in
        await user.Api.RefreshAsync();

        using var wrongPassword = await server.SendAsync(HttpMethod.Post, "api/auth/login",
            JsonSerializer.Serialize(new { username = user.Username, password = "not the password" }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);

        using var register = await server.SendAsync(HttpMethod.Post, "api/auth/register",
            JsonSerializer.Serialize(new { username = server.UniqueName("late"), password = "long enough" }));
        await Refusals.ProblemAsync(register, HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited);
        using var refresh = await server.SendAsync(HttpMethod.Post, "api/auth/refresh",
            JsonSerializer.Serialize(new { refreshToken = user.Api.Session!.RefreshToken }));
        await Refusals.ProblemAsync(refresh, HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited);

        for (var i = 0; i < Limit * 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, "api/users/me", accessToken: user.AccessToken)).StatusCode);
    }
}
