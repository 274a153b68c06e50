using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Calls;

[Collection(BrowserCollection.Name)]
public sealed class MultiDeviceTests(EndToEndFixture env)
{
    [Fact]
    public async Task Both_of_Bobs_browsers_ring_and_the_one_that_answers_gets_the_audio()
    {
        // Voice processing stays on here, as for real users: the tones still arrive recognisably.
        var processing = new BrowserOptions(VoiceProcessing: true);
        await using var alice = await Person.LaunchAsync(env, "alice", processing with { ToneHertz = 440 });
        await using var bobPhone = await Person.LaunchAsync(env, "bob", processing with { ToneHertz = 1000 });
        await using var bobLaptop = await Person.LaunchAsync(env, "bob", processing with { ToneHertz = 1500 },
            username: bobPhone.Username);
        await alice.SignUpAsync();
        await bobPhone.SignUpAsync();
        await bobLaptop.SignInThroughUiAsync();

        await alice.CallAsync(bobPhone);
        await Expect(bobPhone.IncomingCall).ToBeVisibleAsync();
        await Expect(bobLaptop.IncomingCall).ToBeVisibleAsync();
        await Eventually.HoldsAsync(() => bobPhone.RingtonePlayingAsync(), TimeSpan.FromSeconds(3), "bobPhone's browser rings");
        await Eventually.HoldsAsync(() => bobLaptop.RingtonePlayingAsync(), TimeSpan.FromSeconds(3), "bobLaptop's browser rings");

        await bobPhone.IncomingCall.GetByTestId("accept").ClickAsync();
        await Expect(bobLaptop.IncomingCall).ToHaveCountAsync(0);
        await Expect(bobLaptop.Notice).ToHaveTextAsync("Answered on another device.");
        await Eventually.HoldsAsync(async () => !await bobLaptop.RingtonePlayingAsync(), TimeSpan.FromSeconds(3), "bobLaptop's ringtone stops");
        await Expect(bobLaptop.CallScreen).ToHaveCountAsync(0);

        await Task.WhenAll(alice.ExpectAudioArrivedAsync(), bobPhone.ExpectAudioArrivedAsync());
        Assert.InRange(await alice.DominantFrequencyAsync(), 980, 1020);
        Assert.InRange(await bobPhone.DominantFrequencyAsync(), 420, 460);
        Assert.False(await bobLaptop.HasPeerConnectionAsync());
        Assert.Equal(0, await bobLaptop.LiveMicrophoneTracksAsync());

        await alice.CallScreen.GetByTestId("hang-up").ClickAsync();
        await Expect(bobPhone.CallScreen).ToHaveCountAsync(0);
        await bobLaptop.ExpectNoAppErrorsAsync();
    }
}
