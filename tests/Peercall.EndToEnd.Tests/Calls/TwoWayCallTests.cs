using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Calls;

[Collection(BrowserCollection.Name)]
public sealed class TwoWayCallTests(EndToEndFixture env)
{
    [Fact]
    public async Task Alice_and_Bob_hear_each_other_over_a_direct_connection_until_Alice_hangs_up()
    {
        await using var alice = await Person.LaunchAsync(env, "alice", new BrowserOptions(ToneHertz: 440));
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000));
        await alice.SignUpAsync();
        await bob.SignUpAsync();

        await alice.CallAsync(bob);
        await Expect(alice.CallScreen).ToHaveAttributeAsync("data-phase", "outgoing");
        await Expect(alice.CallScreen.GetByTestId("call-status")).ToHaveTextAsync("Ringing…");
        await Expect(bob.IncomingCall).ToBeVisibleAsync();
        await Expect(bob.IncomingCall.GetByTestId("caller-name")).ToHaveTextAsync(alice.DisplayName);
        await Eventually.HoldsAsync(() => bob.RingtonePlayingAsync(), TimeSpan.FromSeconds(3), "bob's browser rings");
        await Eventually.HoldsAsync(() => alice.RingbackPlayingAsync(), TimeSpan.FromSeconds(3), "alice hears the ringback");
        Assert.False(await alice.RingtonePlayingAsync());

        var call = Stopwatch.StartNew();
        await bob.IncomingCall.GetByTestId("accept").ClickAsync();
        await Task.WhenAll(alice.ExpectAudioArrivedAsync(5_000), bob.ExpectAudioArrivedAsync(5_000));
        Assert.True(call.Elapsed < TimeSpan.FromSeconds(5), $"Connecting took {call.Elapsed}.");
        await Eventually.HoldsAsync(async () => !await bob.RingtonePlayingAsync(), TimeSpan.FromSeconds(3), "bob's ringtone stops");
        await Eventually.HoldsAsync(async () => !await alice.RingbackPlayingAsync(), TimeSpan.FromSeconds(3), "alice's ringback stops");
        await Expect(alice.CallScreen.GetByTestId("call-name")).ToHaveTextAsync(bob.DisplayName);
        await Expect(bob.CallScreen.GetByTestId("call-name")).ToHaveTextAsync(alice.DisplayName);

        // Each side hears the other's tone, not its own: audio flows both ways.
        Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);
        Assert.InRange(await alice.DominantFrequencyAsync(), 980, 1020);

        var after = await Task.WhenAll(alice.ExpectPacketsArrivingAsync(), bob.ExpectPacketsArrivingAsync());
        var (aliceAfter, bobAfter) = (after[0], after[1]);

        // Direct: both ends of the selected candidate pair are host candidates; nothing is relayed.
        foreach (var stats in new[] { aliceAfter, bobAfter })
        {
            Assert.Equal("host", stats.Pair?.LocalType);
            Assert.Equal("host", stats.Pair?.RemoteType);
        }
        await Expect(alice.CallScreen.GetByTestId("route")).ToHaveAttributeAsync("data-route", "direct");
        await Expect(bob.CallScreen.GetByTestId("route")).ToHaveAttributeAsync("data-route", "direct");
        await Expect(alice.CallScreen.GetByTestId("poor-connection")).ToHaveCountAsync(0);
        await Expect(alice.CallScreen.GetByTestId("call-timer")).Not.ToHaveTextAsync("0:00");

        // Muting Alice silences her at Bob's end, while Bob still reaches Alice; unmuting brings her back.
        await alice.CallScreen.GetByTestId("mute").ClickAsync();
        await Expect(alice.CallScreen.GetByTestId("muted-note")).ToBeVisibleAsync();
        await Expect(alice.CallScreen.GetByTestId("mute")).ToHaveAttributeAsync("aria-pressed", "true");
        // Her microphone keeps playing her tone: the app tells her nobody hears her.
        await Expect(alice.CallScreen.GetByTestId("speaking-while-muted"))
            .ToHaveTextAsync("You are speaking, but you are muted: unmute to be heard.");
        await Eventually.HoldsAsync(async () => (await bob.RemoteAudioAsync())?.Rms < 0.005,
            TimeSpan.FromSeconds(5), "Bob still hears Alice while she is muted.");
        await Task.Delay(500);
        Assert.True((await bob.RemoteAudioAsync())!.Rms < 0.005, "Alice's audio came back while she was muted.");
        // Muted is silence, not a broken path: packets keep coming, so Bob's screen does not say "Reconnecting…".
        await Task.Delay(2_000);
        await bob.ExpectPacketsArrivingAsync();
        await Expect(bob.CallScreen.GetByTestId("media-reconnecting")).ToHaveCountAsync(0);
        Assert.InRange(await alice.DominantFrequencyAsync(), 980, 1020);

        await alice.CallScreen.GetByTestId("mute").ClickAsync();
        await Expect(alice.CallScreen.GetByTestId("muted-note")).ToHaveCountAsync(0);
        await Expect(alice.CallScreen.GetByTestId("speaking-while-muted")).ToHaveCountAsync(0);
        await Eventually.HoldsAsync(async () => (await bob.RemoteAudioAsync())?.Rms > 0.05,
            TimeSpan.FromSeconds(5), "Bob does not hear Alice again after she unmuted.");
        Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);

        var measured = call.Elapsed;
        await alice.CallScreen.GetByTestId("hang-up").ClickAsync();
        await Expect(alice.CallScreen).ToHaveCountAsync(0);
        await Expect(bob.CallScreen).ToHaveCountAsync(0);
        await Expect(bob.Notice).ToContainTextAsync($"{alice.DisplayName} hung up.");
        await Expect(alice.Notice).ToContainTextAsync("Call ended");
        // Both sides show the duration the server stored, the one the history shows.
        var shown = new List<string>();
        foreach (var person in new[] { alice, bob })
            shown.Add(Regex.Match((await person.Page.GetByTestId("call-notice-text").TextContentAsync())!, @"\d+:\d\d").Value);
        var stored = TimeSpan.FromSeconds((await (await alice.SignedInApiAsync()).GetCallHistoryAsync()).Items[0].DurationSeconds!.Value);
        Assert.All(shown, text => Assert.Equal($"{(int)stored.TotalMinutes}:{stored.Seconds:00}", text));

        // Every microphone track is stopped, so the browser's recording indicator goes off.
        foreach (var person in new[] { alice, bob })
        {
            Assert.Equal(0, await person.LiveMicrophoneTracksAsync());
            Assert.False(await person.HasPeerConnectionAsync());
        }

        foreach (var (person, other, direction) in new[] { (alice, bob, "outgoing"), (bob, alice, "incoming") })
        {
            await person.OpenHistoryAsync();
            var latest = person.HistoryEntries.First;
            await Expect(latest).ToHaveAttributeAsync("data-state", "ended");
            await Expect(latest).ToHaveAttributeAsync("data-direction", direction);
            await Expect(latest).ToContainTextAsync(other.DisplayName);
            var duration = double.Parse((await latest.GetAttributeAsync("data-duration"))!, CultureInfo.InvariantCulture);
            Assert.InRange(duration, measured.TotalSeconds - 2, measured.TotalSeconds + 2);
            await person.ExpectNoAppErrorsAsync();
        }
    }
}
