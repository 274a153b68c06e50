using System.Text.Json;
using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Layout;

[Collection(BrowserCollection.Name)]
public sealed class InstallableAppTests(EndToEndFixture env)
{
    [Fact]
    public async Task The_app_is_installable_works_offline_from_its_service_worker_and_loads_nothing_from_elsewhere()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        var origin = env.Server.BaseAddress.GetLeftPart(UriPartial.Authority);
        var foreign = new List<string>();
        alice.Context.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(origin, StringComparison.Ordinal) && !request.Url.StartsWith("data:") &&
                !request.Url.StartsWith("blob:"))
                lock (foreign) foreign.Add(request.Url);
        };

        await alice.OpenAsync("signin");
        var manifestHref = await alice.Page.Locator("link[rel=manifest]").GetAttributeAsync("href");
        var manifestResponse = await alice.Page.APIRequest.GetAsync(manifestHref!);
        Assert.True(manifestResponse.Ok);
        var manifest = JsonDocument.Parse(await manifestResponse.TextAsync()).RootElement;
        Assert.Equal("Peercall", manifest.GetProperty("name").GetString());
        Assert.Equal("standalone", manifest.GetProperty("display").GetString());
        var sizes = new List<string>();
        foreach (var icon in manifest.GetProperty("icons").EnumerateArray())
        {
            var response = await alice.Page.APIRequest.GetAsync(icon.GetProperty("src").GetString()!);
            Assert.True(response.Ok, $"Icon {icon.GetProperty("src")} is missing.");
            Assert.StartsWith("image/", response.Headers["content-type"]);
            sizes.Add(icon.GetProperty("sizes").GetString()!);
        }
        Assert.Contains("192x192", sizes);
        Assert.Contains("512x512", sizes);

        // Once the service worker has cached the shell, the app opens with the network gone.
        await alice.Page.EvaluateAsync("async () => { await navigator.serviceWorker.ready; }");
        await alice.Page.ReloadAsync();
        await Expect(alice.Page.GetByTestId("signin-form")).ToBeVisibleAsync();
        Assert.True(await alice.Page.EvaluateAsync<bool>("() => navigator.serviceWorker.controller !== null"));
        await alice.Context.SetOfflineAsync(true);
        await alice.Page.ReloadAsync();
        await Expect(alice.Page.GetByTestId("signin-form")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await alice.Context.SetOfflineAsync(false);

        await alice.SignUpAsync();
        lock (foreign) Assert.Empty(foreign);
        await alice.ExpectNoAppErrorsAsync();
    }
}
