using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Layout;

/// <summary>Every main screen at desktop and phone size: saved as screenshots under artifacts/e2e/screenshots,
/// and on the phone never wider than the screen.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenTests(EndToEndFixture env)
{
    private static readonly (string Name, int Width, int Height)[] Sizes = [("desktop", 1280, 800), ("phone", 390, 844)];

    [Fact]
    public async Task Every_main_screen_fits_a_phone_and_a_desktop()
    {
        await using var alice = await Person.LaunchAsync(env, "alice", new BrowserOptions(Camera: Colour.Red));
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000, Camera: Colour.Blue));
        await using var carol = await Person.LaunchAsync(env, "carol", new BrowserOptions(ToneHertz: 700));
        await Task.WhenAll(bob.SignUpAsync(), carol.SignUpAsync());

        await alice.OpenAsync("signin");
        await ShootAsync(alice, "sign-in");
        await alice.OpenAsync("register");
        await alice.Page.GetByTestId("submit").ClickAsync();
        await Expect(alice.Page.GetByTestId("error-username")).ToBeVisibleAsync();
        await ShootAsync(alice, "register-with-errors");

        await alice.SignUpAsync();
        await alice.Page.GetByTestId("search").FillAsync(bob.Username);
        await alice.ExpectPresenceAsync(bob, "online");
        await ShootAsync(alice, "contacts");

        await alice.CallAsync(bob);
        await Expect(bob.IncomingCall).ToBeVisibleAsync();
        await ShootAsync(alice, "outgoing-call");
        await ShootAsync(bob, "incoming-call");

        await bob.IncomingCall.GetByTestId("accept").ClickAsync();
        await Task.WhenAll(alice.ExpectAudioArrivedAsync(), bob.ExpectAudioArrivedAsync());
        await Expect(alice.CallScreen.GetByTestId("quality")).ToBeVisibleAsync();
        await ShootAsync(alice, "in-call");
        await alice.CallScreen.GetByTestId("mute").ClickAsync();
        await ShootAsync(alice, "in-call-muted");

        await alice.CallScreen.GetByTestId("camera").ClickAsync();
        await bob.CallScreen.GetByTestId("camera").ClickAsync();
        await alice.ExpectVideoAsync("remote-camera", Colour.Blue);
        await ShootAsync(alice, "in-video-call", ["self-view", "hang-up", "camera", "add-person"]);

        await alice.CallScreen.GetByTestId("add-person").ClickAsync();
        await alice.CallScreen.GetByTestId("add-search").FillAsync(carol.Username);
        await Expect(alice.CallScreen.GetByTestId("add-candidate")).ToHaveCountAsync(1);
        await ShootAsync(alice, "add-person", ["add-search", "add-contact", "add-close"]);
        await alice.AddCandidate(carol).GetByTestId("add-contact").ClickAsync();
        await Expect(carol.IncomingCall).ToBeVisibleAsync();
        await ShootAsync(carol, "incoming-group-call", ["accept", "decline", "group-note"]);
        await carol.IncomingCall.GetByTestId("accept").ClickAsync();
        await alice.ExpectTileVideoAsync(bob, Colour.Blue);
        await ShootAsync(alice, "in-group-call", ["participants", "self-view", "mute", "hang-up", "add-person"]);
        await carol.CallScreen.GetByTestId("hang-up").ClickAsync();

        await alice.CallScreen.GetByTestId("hang-up").ClickAsync();
        await Expect(bob.Notice).ToBeVisibleAsync();
        await ShootAsync(bob, "call-ended");
        await bob.OpenHistoryAsync();
        await Expect(bob.HistoryEntries.First).ToBeVisibleAsync();
        await ShootAsync(bob, "history");
    }

    /// <param name="reachable">Elements (by data-test) that must lie inside the screen and not be covered by
    /// anything else, at every size.</param>
    private static async Task ShootAsync(Person person, string screen, string[]? reachable = null)
    {
        foreach (var (size, width, height) in Sizes)
        {
            await person.Page.SetViewportSizeAsync(width, height);
            await person.Page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
            var path = Repository.Artifacts("screenshots", $"{screen}-{size}.png");
            await person.Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
            if (size == "phone")
            {
                var widths = await person.Page.EvaluateAsync<int[]>(
                    "() => [document.documentElement.scrollWidth, window.innerWidth]");
                var (scrollWidth, innerWidth) = (widths[0], widths[1]);
                Assert.True(scrollWidth <= innerWidth,
                    $"The {screen} screen scrolls sideways on a phone: {scrollWidth} px wide in {innerWidth} px.");
            }
            foreach (var testId in reachable ?? [])
            {
                var problem = await person.Page.EvaluateAsync<string?>("""
                    id => {
                      const e = document.querySelector(`[data-test=${id}]`);
                      if (!e) return 'missing';
                      const r = e.getBoundingClientRect();
                      if (r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight) return `outside the screen at ${JSON.stringify(r)}`;
                      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                      return e === top || e.contains(top) ? null : `covered by ${top?.outerHTML.slice(0, 80)}`;
                    }
                    """, testId);
                Assert.True(problem is null, $"On the {screen} screen at {size} size, {testId} is {problem}.");
            }
        }
        await person.Page.SetViewportSizeAsync(Sizes[0].Width, Sizes[0].Height);
    }
}
