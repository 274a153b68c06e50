using Peercall.Contracts.Calls;
using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Calls;

[Collection(BrowserCollection.Name)]
public sealed class LostDeviceTests(EndToEndFixture env)
{
    [Fact]
    public async Task Reloading_mid_call_ends_it_on_the_other_side_within_the_grace_period_and_leaves_no_ghost()
    {
        await using var alice = await Person.LaunchAsync(env, "alice", new BrowserOptions(ToneHertz: 440));
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000));
        await alice.SignUpAsync();
        await bob.SignUpAsync();
        await alice.CallAsync(bob);
        await bob.IncomingCall.GetByTestId("accept").ClickAsync();
        await Task.WhenAll(alice.ExpectAudioArrivedAsync(), bob.ExpectAudioArrivedAsync());

        await alice.Page.ReloadAsync();

        var grace = new LocatorAssertionsToHaveCountOptions
        {
            Timeout = (float)(EndToEndFixture.ReconnectGrace.TotalMilliseconds + 3_000),
        };
        await Expect(bob.CallScreen).ToHaveCountAsync(0, grace);
        await Expect(bob.Notice).ToHaveTextAsync($"The connection to {alice.DisplayName} was lost.");
        Assert.Equal(0, await bob.LiveMicrophoneTracksAsync());

        // Alice is still signed in after the reload, and nothing of the old call is left on her page.
        await Expect(alice.Page.GetByTestId("me")).ToHaveTextAsync(alice.DisplayName);
        await Expect(alice.CallScreen).ToHaveCountAsync(0);
        await Expect(alice.IncomingCall).ToHaveCountAsync(0);
        await alice.ExpectPresenceAsync(bob, "online");

        // Both histories hold the call as ended, with a duration: no call is left "accepted" on the server.
        foreach (var person in new[] { alice, bob })
        {
            var history = await (await person.SignedInApiAsync()).GetCallHistoryAsync();
            var entry = Assert.Single(history.Items);
            Assert.Equal(CallState.Ended, entry.State);
            Assert.Equal(CallReason.ConnectionLost, entry.Reason);
            Assert.NotNull(entry.DurationSeconds);
        }
        await bob.OpenHistoryAsync();
        await Expect(bob.HistoryEntries).ToHaveCountAsync(1);
        await Expect(bob.HistoryEntries.First).ToHaveAttributeAsync("data-state", "ended");
    }
}
