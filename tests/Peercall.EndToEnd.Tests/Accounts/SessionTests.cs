using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Accounts;

[Collection(BrowserCollection.Name)]
public sealed class SessionTests(EndToEndFixture env)
{
    [Fact]
    public async Task The_session_survives_a_reload_refreshes_before_it_expires_and_sign_out_ends_it()
    {
        // Access tokens of 70 s make the app refresh about five seconds after signing in.
        await using var server = await ServerProcess.StartAsync("short-tokens", new Dictionary<string, string>
        {
            ["Peercall:Auth:AccessTokenLifetime"] = "00:01:10",
        });
        await using var alice = await Person.LaunchAsync(env, "alice", server: server);
        await alice.SignUpAsync();
        var first = (await alice.StoredSessionAsync())!;

        TokenPairChanged? refreshed = null;
        await Eventually.HoldsAsync(async () =>
        {
            var now = await alice.StoredSessionAsync();
            if (now is null || now.RefreshToken == first.RefreshToken) return false;
            refreshed = new TokenPairChanged(now.AccessToken, now.RefreshToken, now.ExpiresAt);
            return true;
        }, TimeSpan.FromSeconds(20), "The app did not refresh its tokens before they expired.");
        Assert.True(refreshed!.ExpiresAt > first.ExpiresAt);
        Assert.True(first.ExpiresAt - DateTimeOffset.UtcNow > TimeSpan.FromSeconds(30),
            "The refresh happened well before the first token expired.");

        await alice.Page.ReloadAsync();
        await Expect(alice.Page.GetByTestId("me")).ToHaveTextAsync(alice.DisplayName);
        await alice.ExpectConnectedAsync();

        await alice.SignOutAsync();
        Assert.Null(await alice.StoredSessionAsync());
        await alice.Page.ReloadAsync();
        await Expect(alice.Page.GetByTestId("signin-form")).ToBeVisibleAsync();
        await alice.OpenAsync("history");
        await Expect(alice.Page.GetByTestId("signin-form")).ToBeVisibleAsync();
    }

    private sealed record TokenPairChanged(string AccessToken, string RefreshToken, DateTimeOffset ExpiresAt);
}
