using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Accounts;

[Collection(BrowserCollection.Name)]
public sealed class SignUpAndPresenceTests(EndToEndFixture env)
{
    [Fact]
    public async Task Two_people_register_see_each_other_online_and_a_sign_out_shows_live()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000));

        await alice.RegisterThroughUiAsync();
        await bob.RegisterThroughUiAsync();

        // Alice was already looking at her contacts when Bob arrived: he appears without a reload.
        await alice.ExpectPresenceAsync(bob, "online");
        await Expect(alice.Contact(bob).GetByTestId("presence")).ToHaveTextAsync("online");
        await bob.ExpectPresenceAsync(alice, "online");

        await bob.SignOutAsync();
        await alice.ExpectPresenceAsync(bob, "offline");
        await Expect(alice.Contact(bob).GetByTestId("presence")).ToHaveTextAsync("last seen just now");

        await bob.SignInThroughUiAsync();
        await alice.ExpectPresenceAsync(bob, "online");
    }
}
