using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Peercall.Contracts.Accounts;
using Peercall.Server.Data;
using Peercall.Server.Hosting;

namespace Peercall.Server.Accounts;

public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        // Load the signing key, or generate it into the data folder, at start: a bad configured key then stops
        // the server instead of failing the first sign-in.
        app.ServiceProvider.GetRequiredService<SigningKey>();

        var auth = app.MapGroup("api/auth").WithTags("Accounts").RequireRateLimiting(RateLimitOptions.AuthPolicy);
        auth.MapPost("register", Register).WithName("Register").WithSummary("Create an account");
        auth.MapPost("login", Login).WithName("Login").WithSummary("Sign in: an access token and a refresh token");
        auth.MapPost("refresh", Refresh).WithName("Refresh").WithSummary("Trade a refresh token for a new pair");
        app.MapPost("api/auth/logout", Logout).WithTags("Accounts").RequireAuthorization()
            .WithName("Logout").WithSummary("End this sign-in session and close its realtime connections");

        app.MapGet("api/users/me", Me).WithTags("Accounts").RequireAuthorization()
            .WithName("GetMe").WithSummary("The signed-in user");
        return app;
    }

    private static async Task<Results<Created<UserProfile>, ValidationProblem>> Register(
        RegisterRequest request, AccountService accounts)
    {
        var errors = AccountInput.Validate(request, out var username, out var displayName);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, detail: "Some fields need attention.");
        var user = await accounts.RegisterAsync(username, request.Password, displayName);
        return TypedResults.Created($"/api/users/{user.Id}", user);
    }

    private static async Task<Ok<TokenPair>> Login(LoginRequest request, AccountService accounts) =>
        TypedResults.Ok(await accounts.LoginAsync(request));

    private static async Task<Ok<TokenPair>> Refresh(RefreshRequest request, AccountService accounts) =>
        TypedResults.Ok(await accounts.RefreshAsync(request.RefreshToken));

    private static async Task<NoContent> Logout(ClaimsPrincipal principal, AccountService accounts)
    {
        await accounts.RevokeSessionAsync(principal.SessionId(), "signed-out");
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UserProfile>, NotFound>> Me(ClaimsPrincipal principal, PeercallDb db) =>
        await db.Users.FindAsync(principal.UserId()) is { } user
            ? TypedResults.Ok(user.ToProfile())
            : TypedResults.NotFound();
}
