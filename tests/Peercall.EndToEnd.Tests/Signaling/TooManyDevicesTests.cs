using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Signaling;

[Collection(BrowserCollection.Name)]
public sealed class TooManyDevicesTests(EndToEndFixture env)
{
    /// <summary>A browser is not told why its WebSocket was refused; the app asks the server and says so.</summary>
    [Fact]
    public async Task A_device_past_the_accounts_connection_limit_says_why_and_connects_once_another_leaves()
    {
        await using var server = await ServerProcess.StartAsync("one-device", new Dictionary<string, string>
        {
            ["Peercall:Signaling:MaxConnectionsPerUser"] = "1",
        });
        await using var phone = await Person.LaunchAsync(env, "carol", server: server);
        await using var laptop = await Person.LaunchAsync(env, "carol", username: phone.Username, server: server);
        await phone.SignUpAsync();
        await phone.ExpectConnectedAsync();

        await laptop.SignInThroughUiAsync(expectConnected: false);
        await Expect(laptop.Page.GetByTestId("too-many-devices")).ToContainTextAsync("too many devices or tabs");
        await Expect(laptop.Page.GetByTestId("reconnecting")).ToHaveCountAsync(0);

        await phone.SignOutAsync();
        await Expect(laptop.Page.GetByTestId("too-many-devices")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await laptop.ExpectConnectedAsync();
        await laptop.ExpectNoAppErrorsAsync();
    }
}
