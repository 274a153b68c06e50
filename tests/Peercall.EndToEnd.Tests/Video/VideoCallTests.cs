using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Video;

/// <summary>
/// Video calls between two browsers whose fake cameras show one solid colour each (Alice red, Bob blue) and whose
/// fake microphones play one tone each: what each side sees and hears is the other's, proved by colour and
/// frequency, while cameras turn on and off.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class VideoCallTests(EndToEndFixture env)
{
    [Fact]
    public async Task A_video_call_shows_each_side_the_others_camera_and_both_tones_keep_flowing()
    {
        await using var people = await TwoPeople.SignUpAsync(env, cameras: true);
        var (alice, bob) = people;

        await alice.VideoCallAsync(bob);
        await Expect(alice.CallScreen).ToHaveAttributeAsync("data-media", "video");
        // Alice's camera is on while it rings, so she sees herself before Bob answers.
        await alice.ExpectSelfViewAsync(Colour.Red);
        await Expect(bob.IncomingCall.GetByTestId("incoming-media")).ToHaveAttributeAsync("data-media", "video");
        await bob.IncomingCall.GetByTestId("accept").ClickAsync();

        await Task.WhenAll(alice.ExpectAudioArrivedAsync(), bob.ExpectAudioArrivedAsync());
        await Task.WhenAll(alice.ExpectVideoAsync("remote-camera", Colour.Blue), bob.ExpectVideoAsync("remote-camera", Colour.Red));
        await Expect(alice.CallScreen.GetByTestId("remote-avatar")).ToHaveCountAsync(0);
        Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);
        Assert.InRange(await alice.DominantFrequencyAsync(), 980, 1020);
        // Alice's camera captures 720p. The sender starts smaller and raises the size as the bandwidth estimate
        // grows; on a LAN it gets there, unless the machine's processor is what holds it back (WebRTC says so).
        Assert.Equal(720, (await alice.SentCameraAsync())?.CapturedHeight);
        VideoColour? size = null;
        SentCamera? sent = null;
        await Eventually.HoldsAsync(async () =>
                (size = await bob.VideoColourAsync("remote-camera"))?.Height >= 540
                || (sent = await alice.SentCameraAsync())?.Limitation == "cpu",
            TimeSpan.FromSeconds(20),
            () => $"Bob receives Alice's 720p camera at {size?.Width}x{size?.Height} (sent {sent?.SentHeight}, held back by {sent?.Limitation}).");

        // The self-view can be hidden, and shown again.
        await alice.CallScreen.GetByTestId("self-view-toggle").ClickAsync();
        await Expect(alice.CallScreen.GetByTestId("self-view")).ToHaveCountAsync(0);
        await alice.CallScreen.GetByTestId("self-view-toggle").ClickAsync();
        await alice.ExpectSelfViewAsync(Colour.Red);

        await alice.CallScreen.GetByTestId("hang-up").ClickAsync();
        await Expect(bob.CallScreen).ToHaveCountAsync(0);
        Assert.Equal(0, await alice.LiveTracksAsync());
        Assert.Equal(0, await bob.LiveTracksAsync());

        // History remembers it as a video call, on both sides.
        foreach (var person in new[] { alice, bob })
        {
            await person.OpenHistoryAsync();
            await Expect(person.HistoryEntries.First).ToHaveAttributeAsync("data-media", "video");
        }
        await alice.ExpectNoAppErrorsAsync();
        await bob.ExpectNoAppErrorsAsync();
    }

    [Fact]
    public async Task A_camera_turned_off_shows_the_avatar_and_turned_on_again_the_colour_while_audio_goes_on()
    {
        await using var people = await TwoPeople.SignUpAsync(env, cameras: true);
        var (alice, bob) = people;
        await people.ConnectAsync(video: true);
        await bob.ExpectVideoAsync("remote-camera", Colour.Red);

        await alice.CallScreen.GetByTestId("camera").ClickAsync();
        await Expect(alice.CallScreen.GetByTestId("camera")).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(bob.CallScreen.GetByTestId("remote-camera")).ToHaveCountAsync(0);
        await Expect(bob.CallScreen.GetByTestId("remote-avatar")).ToBeVisibleAsync();
        // The camera's light goes out: only the microphone is still captured.
        Assert.Equal(1, await alice.LiveTracksAsync());
        await bob.ExpectPacketsArrivingAsync();
        Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);

        await alice.CallScreen.GetByTestId("camera").ClickAsync();
        await bob.ExpectVideoAsync("remote-camera", Colour.Red);
        await alice.ExpectVideoAsync("remote-camera", Colour.Blue);
        await bob.ExpectPacketsArrivingAsync();
        Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);
        await alice.ExpectNoAppErrorsAsync();
        await bob.ExpectNoAppErrorsAsync();
    }

    [Fact]
    public async Task A_voice_call_becomes_a_video_call_when_both_turn_their_cameras_on_at_the_same_moment()
    {
        await using var people = await TwoPeople.SignUpAsync(env, cameras: true);
        var (alice, bob) = people;
        await alice.CallAsync(bob);
        await Expect(bob.IncomingCall.GetByTestId("incoming-media")).ToHaveAttributeAsync("data-media", "audio");
        await bob.IncomingCall.GetByTestId("accept").ClickAsync();
        await Task.WhenAll(alice.ExpectAudioArrivedAsync(), bob.ExpectAudioArrivedAsync());
        await Expect(alice.CallScreen.GetByTestId("remote-avatar")).ToBeVisibleAsync();
        Assert.Equal(1, await alice.LiveTracksAsync());

        // Both offer at once: perfect negotiation lets the polite side (Bob, who answered) give way.
        await Task.WhenAll(alice.CallScreen.GetByTestId("camera").ClickAsync(), bob.CallScreen.GetByTestId("camera").ClickAsync());
        await Task.WhenAll(alice.ExpectVideoAsync("remote-camera", Colour.Blue), bob.ExpectVideoAsync("remote-camera", Colour.Red));
        Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);
        Assert.InRange(await alice.DominantFrequencyAsync(), 980, 1020);
        await alice.ExpectNoAppErrorsAsync();
        await bob.ExpectNoAppErrorsAsync();
    }

    [Fact]
    public async Task A_callee_who_answers_a_video_call_with_voice_only_sends_no_video_but_sees_the_caller()
    {
        await using var people = await TwoPeople.SignUpAsync(env, cameras: true);
        var (alice, bob) = people;
        await alice.VideoCallAsync(bob);
        await bob.IncomingCall.GetByTestId("accept-without-video").ClickAsync();

        await bob.ExpectVideoAsync("remote-camera", Colour.Red);
        await Expect(alice.CallScreen.GetByTestId("remote-avatar")).ToBeVisibleAsync();
        await Expect(bob.CallScreen.GetByTestId("camera")).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.Equal(1, await bob.LiveTracksAsync());
        Assert.InRange(await alice.DominantFrequencyAsync(), 980, 1020);
    }
}
