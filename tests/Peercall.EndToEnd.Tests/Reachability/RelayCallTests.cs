using Peercall.EndToEnd.Tests.Infrastructure;
using Peercall.Reachability.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Reachability;

/// <summary>
/// A browser call forced through Debian's real coturn (on loopback, with a generated secret): the server hands
/// out its TURN URL with credentials minted from that secret, and Peercall:Ice:TransportPolicy=relay makes the
/// browsers use relay candidates only.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RelayCallTests(EndToEndFixture env)
{
    [Fact]
    public async Task A_call_forced_to_relay_goes_through_coturn_and_carries_audio_both_ways()
    {
        var coturn = new Coturn();
        await coturn.InitializeAsync();
        try
        {
            await using var server = await ServerProcess.StartAsync("relay", new Dictionary<string, string>
            {
                ["Peercall:Ice:TransportPolicy"] = "relay",
                ["Peercall:Ice:Turn:Urls:0"] = coturn.Url,
                ["Peercall:Ice:Turn:SharedSecret"] = coturn.Secret,
            });
            await using var alice = await Person.LaunchAsync(env, "alice", new BrowserOptions(ToneHertz: 440), server: server);
            await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000), server: server);
            await alice.SignUpAsync();
            await bob.SignUpAsync();

            await alice.CallAsync(bob);
            await Expect(bob.IncomingCall).ToBeVisibleAsync();
            await bob.IncomingCall.GetByTestId("accept").ClickAsync();
            await Task.WhenAll(alice.ExpectAudioArrivedAsync(15_000), bob.ExpectAudioArrivedAsync(15_000));

            await CallAssertions.HearEachOtherThroughRelayAsync(alice, bob, () => coturn.Log);
            await alice.CallScreen.GetByTestId("hang-up").ClickAsync();
            await Expect(bob.CallScreen).ToHaveCountAsync(0);
        }
        finally
        {
            await coturn.DisposeAsync();
        }
    }
}

public static class CallAssertions
{
    /// <summary>Alice (440 Hz) and Bob (1000 Hz) hear each other, packets keep arriving, and both ends of the
    /// selected candidate pair are relay candidates on both sides.</summary>
    public static async Task HearEachOtherThroughRelayAsync(Person alice, Person bob, Func<string> turnLog)
    {
        foreach (var person in new[] { alice, bob })
        {
            await Eventually.HoldsAsync(async () => (await person.RemoteAudioAsync())?.Rms > 0.01, TimeSpan.FromSeconds(10),
                $"{person.Username} hears nothing: {await person.RemoteAudioAsync()}, stats {await person.StatsAsync()}, " +
                $"page: {await person.Page.InnerTextAsync("body")}\nconsole errors: {string.Join("\n", person.ConsoleErrors)}\nTURN log:\n{turnLog()}");
        }
        Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);
        Assert.InRange(await alice.DominantFrequencyAsync(), 980, 1020);

        var after = await Task.WhenAll(alice.ExpectPacketsArrivingAsync(), bob.ExpectPacketsArrivingAsync());
        var (aliceAfter, bobAfter) = (after[0], after[1]);

        foreach (var (who, stats) in new[] { ("Alice", aliceAfter), ("Bob", bobAfter) })
        {
            Assert.True(stats.Pair is { LocalType: "relay", RemoteType: "relay" },
                $"{who}'s selected candidate pair is {stats.Pair}, not relay on both ends. coturn's log:\n{turnLog()}");
        }
        await Expect(alice.CallScreen.GetByTestId("route")).ToHaveAttributeAsync("data-route", "relayed");
        await Expect(bob.CallScreen.GetByTestId("route")).ToHaveAttributeAsync("data-route", "relayed");
    }
}
