using Microsoft.Playwright;
using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Layout;

[Collection(BrowserCollection.Name)]
public sealed class BootScreenTests(EndToEndFixture env)
{
    [Fact]
    public async Task A_first_visit_shows_the_products_name_and_how_far_the_download_got_until_the_app_starts()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        // The test holds the app's own assembly back, as a slow first download on a phone would.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await alice.Page.RouteAsync("**/_framework/Peercall.Web*.wasm", async route =>
        {
            held.TrySetResult();
            await release.Task;
            await route.ContinueAsync();
        });

        var opening = alice.Page.GotoAsync("signin");
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var boot = alice.Page.GetByTestId("boot");
        await Expect(boot).ToBeVisibleAsync();
        await Expect(boot).ToContainTextAsync("Peercall");
        await Eventually.HoldsAsync(async () => (await LoadedPercentAsync(alice.Page)) > 0, TimeSpan.FromSeconds(10),
            "the boot screen's bar shows the download going on");
        await Expect(boot.GetByRole(AriaRole.Progressbar)).ToBeVisibleAsync();

        release.SetResult();
        await opening;
        await Expect(alice.Page.GetByTestId("signin-form")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(boot).ToHaveCountAsync(0);
        await alice.ExpectNoAppErrorsAsync();
    }

    private static async Task<double> LoadedPercentAsync(IPage page)
    {
        var value = await page.EvaluateAsync<string>(
            "() => getComputedStyle(document.documentElement).getPropertyValue('--blazor-load-percentage')");
        return double.TryParse(value.Trim().TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture, out var percent)
            ? percent : 0;
    }
}
