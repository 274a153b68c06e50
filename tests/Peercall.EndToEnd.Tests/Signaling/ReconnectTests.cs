using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Signaling;

[Collection(BrowserCollection.Name)]
public sealed class ReconnectTests(EndToEndFixture env)
{
    [Fact]
    public async Task While_the_server_is_away_the_app_says_reconnecting_and_afterwards_it_reads_presence_again()
    {
        await using var server = await ServerProcess.StartAsync("restarting");
        await using var alice = await Person.LaunchAsync(env, "alice", server: server);
        await using var bob = await Person.LaunchAsync(env, "bob", server: server);
        await alice.SignUpAsync();
        await bob.SignUpAsync();
        await alice.ExpectPresenceAsync(bob, "online");

        await server.StopAsync();
        await Expect(alice.Page.GetByTestId("reconnecting")).ToHaveTextAsync("Reconnecting…");
        await Expect(bob.Page.GetByTestId("reconnecting")).ToBeVisibleAsync();
        await Expect(alice.Contact(bob).GetByTestId("call")).ToBeDisabledAsync();

        // Bob leaves while the server is gone: no event can tell Alice, only reading presence again can.
        await bob.SignOutAsync();
        await server.StartAgainAsync();

        await Expect(alice.Page.GetByTestId("reconnecting")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await alice.ExpectPresenceAsync(bob, "offline");
        await Expect(alice.Contact(bob).GetByTestId("call")).ToBeEnabledAsync();
        await alice.ExpectNoAppErrorsAsync();
    }
}
