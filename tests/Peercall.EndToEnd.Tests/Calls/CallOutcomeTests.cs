using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Calls;

[Collection(BrowserCollection.Name)]
public sealed class CallOutcomeTests(EndToEndFixture env)
{
    [Fact]
    public async Task A_declined_call_tells_the_caller()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000));
        await alice.SignUpAsync();
        await bob.SignUpAsync();

        await alice.CallAsync(bob);
        // Bob's tab title flashes while it rings, so he sees the call from another tab.
        await Eventually.HoldsAsync(async () => await bob.Page.TitleAsync() == $"Incoming call: {alice.DisplayName}",
            TimeSpan.FromSeconds(5), "bob's tab title names the caller");
        await Eventually.HoldsAsync(async () => await bob.Page.TitleAsync() == "Peercall", TimeSpan.FromSeconds(3),
            "bob's tab title flashes");
        await bob.IncomingCall.GetByTestId("decline").ClickAsync();
        await Expect(bob.Page).ToHaveTitleAsync("Contacts · Peercall");

        await Expect(bob.IncomingCall).ToHaveCountAsync(0);
        await Expect(alice.CallScreen).ToHaveCountAsync(0);
        await Expect(alice.Notice).ToHaveTextAsync($"{bob.DisplayName} declined the call.");
        await Eventually.HoldsAsync(async () => !await bob.RingtonePlayingAsync(), TimeSpan.FromSeconds(3), "bob's ringtone stops");
        await Eventually.HoldsAsync(async () => !await alice.RingbackPlayingAsync(), TimeSpan.FromSeconds(3), "alice's ringback stops");
        Assert.Equal(0, await alice.LiveMicrophoneTracksAsync());

        await alice.OpenHistoryAsync();
        await Expect(alice.HistoryEntries.First).ToHaveAttributeAsync("data-state", "declined");
        await Expect(alice.HistoryEntries.First).ToContainTextAsync("Declined");
        // The message goes away by itself after 10 s.
        await Expect(alice.Notice).ToHaveCountAsync(0, new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task A_cancelled_call_stops_ringing_at_the_callee()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000));
        await alice.SignUpAsync();
        await bob.SignUpAsync();

        await alice.CallAsync(bob);
        await Expect(bob.IncomingCall).ToBeVisibleAsync();
        await alice.CallScreen.GetByTestId("cancel").ClickAsync();

        await Expect(alice.CallScreen).ToHaveCountAsync(0);
        await Expect(bob.IncomingCall).ToHaveCountAsync(0);
        await Expect(bob.Notice).ToHaveTextAsync($"{alice.DisplayName} cancelled the call.");
        await Eventually.HoldsAsync(async () => !await bob.RingtonePlayingAsync(), TimeSpan.FromSeconds(3), "bob's ringtone stops");
        Assert.Equal(0, await alice.LiveMicrophoneTracksAsync());
    }

    [Fact]
    public async Task An_unanswered_call_becomes_missed_after_the_ring_timeout_and_shows_a_badge()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000));
        await alice.SignUpAsync();
        await bob.SignUpAsync();

        await alice.CallAsync(bob);
        await Expect(bob.IncomingCall).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("missed-badge")).ToHaveCountAsync(0);

        var timeout = new LocatorAssertionsToHaveTextOptions { Timeout = (float)(EndToEndFixture.RingTimeout.TotalMilliseconds + 5_000) };
        await Expect(alice.Notice).ToHaveTextAsync($"{bob.DisplayName} did not answer.", timeout);
        await Expect(bob.Notice).ToHaveTextAsync($"Missed call from {alice.DisplayName}.");
        await Expect(bob.IncomingCall).ToHaveCountAsync(0);
        await Expect(alice.CallScreen).ToHaveCountAsync(0);
        await Eventually.HoldsAsync(async () => !await bob.RingtonePlayingAsync(), TimeSpan.FromSeconds(3), "bob's ringtone stops");
        await Expect(bob.Page.GetByTestId("missed-badge")).ToHaveTextAsync("1");

        await bob.OpenHistoryAsync();
        await Expect(bob.HistoryEntries.First).ToHaveAttributeAsync("data-state", "missed");
        await Expect(bob.HistoryEntries.First).ToContainTextAsync("Missed");
        await Expect(bob.Page.GetByTestId("missed-badge")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Calling_someone_offline_leaves_a_missed_call_badge_at_their_next_sign_in_and_they_can_call_back()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000));
        await alice.SignUpAsync();
        await bob.RegisterThroughApiAsync();

        // Bob is offline: the button says what calling him does.
        var callBob = alice.Contact(bob).GetByTestId("call");
        await Expect(callBob).ToHaveTextAsync("Leave a missed call");
        await Expect(callBob).ToHaveAttributeAsync("aria-label", $"{bob.DisplayName} is offline: leave a missed call");
        await Expect(callBob).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bsecondary\b"));
        await alice.CallAsync(bob);
        await Expect(alice.Notice).ToHaveTextAsync($"{bob.DisplayName} is offline and will see a missed call.");
        await Expect(alice.CallScreen).ToHaveCountAsync(0);

        // The installed app's badge counts it too (headless Chromium has no app icon; the test reads what it is told).
        await bob.Context.AddInitScriptAsync("""
            window.appBadge = null;
            navigator.setAppBadge = async count => { window.appBadge = count; };
            navigator.clearAppBadge = async () => { window.appBadge = 0; };
            """);
        await bob.SignInThroughUiAsync();
        await Expect(bob.Page.GetByTestId("missed-badge")).ToHaveTextAsync("1");
        await Eventually.HoldsAsync(async () => await bob.Page.EvaluateAsync<int?>("() => window.appBadge") == 1,
            TimeSpan.FromSeconds(5), "bob's app badge shows one missed call");
        await bob.OpenHistoryAsync();
        await Eventually.HoldsAsync(async () => await bob.Page.EvaluateAsync<int?>("() => window.appBadge") == 0,
            TimeSpan.FromSeconds(5), "bob's app badge clears once he has seen the missed call");
        var missed = bob.HistoryEntries.First;
        await Expect(missed).ToHaveAttributeAsync("data-state", "missed");
        await Expect(missed).ToContainTextAsync(alice.DisplayName);

        await Expect(alice.Contact(bob).GetByTestId("call")).ToHaveTextAsync("Call");
        // A screen reader hears whom "Call back" calls.
        await Expect(missed.GetByTestId("call-back")).ToHaveAttributeAsync("aria-label", $"Call {alice.DisplayName}");
        await missed.GetByTestId("call-back").ClickAsync();
        await Expect(alice.IncomingCall).ToBeVisibleAsync();
        await Expect(alice.IncomingCall.GetByTestId("caller-name")).ToHaveTextAsync(bob.DisplayName);
        await alice.IncomingCall.GetByTestId("decline").ClickAsync();
        await Expect(bob.Notice).ToHaveTextAsync($"{alice.DisplayName} declined the call.");
    }

    [Fact]
    public async Task Calling_someone_who_is_in_a_call_says_busy_and_does_not_disturb_their_call()
    {
        await using var alice = await Person.LaunchAsync(env, "alice", new BrowserOptions(ToneHertz: 440));
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000));
        await using var carol = await Person.LaunchAsync(env, "carol", new BrowserOptions(ToneHertz: 660));
        await alice.SignUpAsync();
        await bob.SignUpAsync();
        await carol.SignUpAsync();

        await alice.CallAsync(bob);
        await bob.IncomingCall.GetByTestId("accept").ClickAsync();
        await Task.WhenAll(alice.ExpectAudioArrivedAsync(), bob.ExpectAudioArrivedAsync());

        await carol.Page.GetByTestId("search").FillAsync(bob.Username);
        await carol.ExpectPresenceAsync(bob, "in-call");
        await Expect(carol.Contact(bob).GetByTestId("presence")).ToHaveTextAsync("in a call");
        await carol.CallAsync(bob);
        await Expect(carol.Notice).ToHaveTextAsync($"{bob.DisplayName} is busy in another call.");
        await Expect(carol.CallScreen).ToHaveCountAsync(0);
        Assert.Equal(0, await carol.LiveMicrophoneTracksAsync());

        await Expect(bob.IncomingCall).ToHaveCountAsync(0);
        await bob.ExpectInCallAsync();
        Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);
        Assert.InRange(await alice.DominantFrequencyAsync(), 980, 1020);
        await bob.CallScreen.GetByTestId("hang-up").ClickAsync();
        await Expect(alice.CallScreen).ToHaveCountAsync(0);
    }
}
