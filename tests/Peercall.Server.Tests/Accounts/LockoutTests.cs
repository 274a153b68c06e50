using System.Net;
using Peercall.Client;
using Peercall.Contracts;
using Peercall.Contracts.Accounts;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Accounts;

/// <summary>Lockout runs on the server's clock, which these tests move forward.</summary>
public sealed class LockoutTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    private static readonly TimeSpan Lockout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Five_failures_in_a_row_lock_the_account_and_say_until_when()
    {
        var user = await server.SignUpAsync("locked");
        for (var attempt = 1; attempt <= 4; attempt++)
            await FailAsync(user, HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials);

        var fifth = await FailAsync(user, HttpStatusCode.Forbidden, ProblemCodes.AccountLocked);
        var until = server.Time.GetUtcNow() + Lockout;
        Assert.Contains($"until {until:yyyy-MM-dd HH:mm}", fifth.Problem.Detail);

        using var response = await LoginAsync(user, user.Password);
        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.Forbidden, ProblemCodes.AccountLocked);
        Assert.Equal(until, problem.GetProperty("lockedUntil").GetDateTimeOffset(), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_username_that_does_not_exist_locks_the_same_way_so_lockout_reveals_no_account()
    {
        var api = server.NewApi();
        var ghost = new LoginRequest($"ghost{Guid.NewGuid():N}"[..20], "wrong password");
        for (var attempt = 1; attempt <= 4; attempt++)
            await Refusals.ApiAsync(() => api.LoginAsync(ghost), HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials);

        var fifth = await Refusals.ApiAsync(() => api.LoginAsync(ghost), HttpStatusCode.Forbidden, ProblemCodes.AccountLocked);
        var until = server.Time.GetUtcNow() + Lockout;
        Assert.Contains($"until {until:yyyy-MM-dd HH:mm}", fifth.Problem.Detail);
        await Refusals.ApiAsync(() => api.LoginAsync(ghost), HttpStatusCode.Forbidden, ProblemCodes.AccountLocked);

        await server.AdvanceAsync(Lockout + TimeSpan.FromSeconds(1));
        await Refusals.ApiAsync(() => api.LoginAsync(ghost), HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials);
    }

    [Fact]
    public async Task A_locked_account_refuses_even_the_right_password_until_the_lockout_ends()
    {
        var user = await server.SignUpAsync("waits");
        for (var attempt = 1; attempt <= 5; attempt++) await FailAsync(user);

        await Refusals.ApiAsync(() => server.NewApi().LoginAsync(new LoginRequest(user.Username, user.Password)),
            HttpStatusCode.Forbidden, ProblemCodes.AccountLocked);
        await server.AdvanceAsync(Lockout - TimeSpan.FromSeconds(10));
        await Refusals.ApiAsync(() => server.NewApi().LoginAsync(new LoginRequest(user.Username, user.Password)),
            HttpStatusCode.Forbidden, ProblemCodes.AccountLocked);

        await server.AdvanceAsync(TimeSpan.FromSeconds(11));
        var pair = await server.NewApi().LoginAsync(new LoginRequest(user.Username, user.Password));
        Assert.Equal(user.Id, pair.User.Id);
    }

    [Fact]
    public async Task After_a_lockout_ends_the_count_starts_again()
    {
        var user = await server.SignUpAsync("again");
        for (var attempt = 1; attempt <= 5; attempt++) await FailAsync(user);
        await server.AdvanceAsync(Lockout + TimeSpan.FromSeconds(1));

        for (var attempt = 1; attempt <= 4; attempt++)
            await FailAsync(user, HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials);
        await FailAsync(user, HttpStatusCode.Forbidden, ProblemCodes.AccountLocked);
    }

    [Fact]
    public async Task A_successful_sign_in_resets_the_count_of_failures()
    {
        var user = await server.SignUpAsync("resets");
        for (var attempt = 1; attempt <= 4; attempt++) await FailAsync(user);
        await server.NewApi().LoginAsync(new LoginRequest(user.Username, user.Password));

        for (var attempt = 1; attempt <= 4; attempt++)
            await FailAsync(user, HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials);
        await server.NewApi().LoginAsync(new LoginRequest(user.Username, user.Password));
    }

    [Fact]
    public async Task A_lockout_does_not_end_sessions_already_signed_in()
    {
        var user = await server.SignUpAsync("inside");
        for (var attempt = 1; attempt <= 5; attempt++) await FailAsync(user);
        Assert.Equal(user.Id, (await user.Api.GetMeAsync()).Id);
    }

    private async Task<PeercallApiException> FailAsync(TestUser user,
        HttpStatusCode status = 0, string? code = null)
    {
        var e = await Assert.ThrowsAsync<PeercallApiException>(
            () => server.NewApi().LoginAsync(new LoginRequest(user.Username, "not the password")));
        if (status != 0) Assert.Equal(status, e.Status);
        if (code is not null) Assert.Equal(code, e.Code);
        return e;
    }

    private Task<HttpResponseMessage> LoginAsync(TestUser user, string password) =>
        server.SendAsync(HttpMethod.Post, "api/auth/login",
            System.Text.Json.JsonSerializer.Serialize(new { username = user.Username, password }));
}
