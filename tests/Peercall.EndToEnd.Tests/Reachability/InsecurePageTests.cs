using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Reachability;

/// <summary>
/// The app opened over plain HTTP under a LAN name, where the browser refuses the microphone, says so as soon as
/// it loads, not first at the Call button. The name is mapped to the test's own loopback server inside Chromium
/// (a name that is not localhost makes the page an insecure context, as a LAN name would).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class InsecurePageTests(EndToEndFixture env)
{
    [Fact]
    public async Task A_page_on_plain_http_under_a_lan_name_says_at_once_that_calls_cannot_work_there()
    {
        var lanName = new Uri($"http://peercall.test:{env.Server.BaseAddress.Port}/");
        await using var onLan = await Person.LaunchAsync(env, "carol",
            new BrowserOptions(ExtraArgs: ["--host-resolver-rules=MAP peercall.test 127.0.0.1"]), baseAddress: lanName);
        await using var onThisMachine = await Person.LaunchAsync(env, "dave");

        await onLan.OpenAsync();
        await onThisMachine.OpenAsync();

        Assert.False(await onLan.Page.EvaluateAsync<bool>("() => window.isSecureContext"));
        var warning = onLan.Page.GetByTestId("insecure-page");
        await Expect(warning).ToContainTextAsync("the browser will not allow the microphone or camera");
        await Expect(warning.GetByTestId("insecure-page-help")).ToHaveAttributeAsync("href", "connect?lang=en");
        // The test server listens on loopback only, so it has no HTTPS address on the LAN to offer.
        await Expect(warning.GetByTestId("secure-address")).ToHaveCountAsync(0);
        await Expect(onThisMachine.Page.GetByTestId("signin-form")).ToBeVisibleAsync();
        await Expect(onThisMachine.Page.GetByTestId("insecure-page")).ToHaveCountAsync(0);
        await onLan.ExpectNoAppErrorsAsync();
    }
}
