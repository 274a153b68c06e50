using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Video;

/// <summary>
/// Screen sharing in headless Chromium: with <c>--use-fake-ui-for-media-stream</c> and
/// <c>--use-fake-device-for-media-stream</c>, getDisplayMedia picks Chromium's fake screen (a green moving test
/// pattern, 1280×720) without a person, and the fake camera still shows its own colour, so the two can be told
/// apart on the other side.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenShareTests(EndToEndFixture env)
{
    [Fact]
    public async Task A_shared_screen_shows_large_on_the_other_side_with_the_camera_small_and_goes_when_sharing_stops()
    {
        await using var people = await TwoPeople.SignUpAsync(env, cameras: true);
        var (alice, bob) = people;
        await people.ConnectAsync(video: true);
        await bob.ExpectVideoAsync("remote-camera", Colour.Red);

        await alice.CallScreen.GetByTestId("share-screen").ClickAsync();
        await Expect(alice.CallScreen.GetByTestId("share-screen")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(alice.CallScreen.GetByTestId("sharing-note")).ToBeVisibleAsync();
        await Expect(bob.CallScreen.GetByTestId("remote-screen")).ToHaveClassAsync("main");
        await Expect(bob.CallScreen.GetByTestId("remote-camera")).ToHaveClassAsync("remote-small");
        VideoColour? screen = null;
        await Eventually.HoldsAsync(async () => (screen = await bob.VideoColourAsync("remote-screen")) is { } c && c.G > c.R + 60 && c.G > c.B + 60,
            TimeSpan.FromSeconds(10), () => $"Bob sees Alice's (green) fake screen, not {screen}");
        Assert.Equal(720, screen!.Height);
        // Alice's last description (with all three slots sending, every codec Chromium has) stays well inside the limit.
        var description = await alice.Page.EvaluateAsync<int>("() => window.peercallDebug.localDescriptionSize()");
        Assert.InRange(description, 1_000, Peercall.Contracts.Signaling.SignalLimits.MaxDescriptionLength / 2);
        await bob.ExpectVideoAsync("remote-camera", Colour.Red);
        Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);

        await alice.CallScreen.GetByTestId("share-screen").ClickAsync();
        await Expect(bob.CallScreen.GetByTestId("remote-screen")).ToHaveCountAsync(0);
        await Expect(bob.CallScreen.GetByTestId("remote-camera")).ToHaveClassAsync("main");
        await bob.ExpectVideoAsync("remote-camera", Colour.Red);
        Assert.Equal(2, await alice.LiveTracksAsync());

        // Stopped from the browser's own control (its track ends by itself), the app stops sharing too.
        await alice.CallScreen.GetByTestId("share-screen").ClickAsync();
        await Expect(bob.CallScreen.GetByTestId("remote-screen")).ToBeVisibleAsync();
        await alice.Page.EvaluateAsync("() => window.peercallDebug.stopSharingFromBrowser()");
        await Expect(alice.CallScreen.GetByTestId("share-screen")).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(alice.CallScreen.GetByTestId("sharing-note")).ToHaveCountAsync(0);
        await Expect(bob.CallScreen.GetByTestId("remote-screen")).ToHaveCountAsync(0);
        Assert.Equal(2, await alice.LiveTracksAsync());
        await alice.ExpectNoAppErrorsAsync();
        await bob.ExpectNoAppErrorsAsync();
    }
}
