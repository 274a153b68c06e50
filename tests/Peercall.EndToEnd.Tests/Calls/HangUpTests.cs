using System.Diagnostics;
using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Calls;

[Collection(BrowserCollection.Name)]
public sealed class HangUpTests(EndToEndFixture env)
{
    [Fact]
    public async Task A_hang_up_while_the_server_is_down_reaches_the_other_side_at_once_over_the_call_itself()
    {
        await using var server = await ServerProcess.StartAsync("hang-up");
        await using var alice = await Person.LaunchAsync(env, "alice", server: server);
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000), server: server);
        await alice.SignUpAsync();
        await bob.SignUpAsync();
        await alice.CallAsync(bob);
        await bob.IncomingCall.GetByTestId("accept").ClickAsync();
        await Task.WhenAll(alice.ExpectAudioArrivedAsync(10_000), bob.ExpectAudioArrivedAsync(10_000));

        await server.StopAsync();
        await Expect(alice.Page.GetByTestId("reconnecting")).ToBeVisibleAsync();
        var hungUp = Stopwatch.StartNew();
        await alice.CallScreen.GetByTestId("hang-up").ClickAsync();

        // Without the call's own channel Bob would sit in a silent call until his media path gave up (30 s).
        await Expect(bob.CallScreen).ToHaveCountAsync(0, new() { Timeout = 3_000 });
        Assert.True(hungUp.Elapsed < TimeSpan.FromSeconds(3), $"Bob learned of the hang-up after {hungUp.Elapsed}.");
        await Expect(bob.Notice).ToContainTextAsync($"{alice.DisplayName} hung up.");
        await Expect(alice.Notice).ToContainTextAsync("Call ended");
        Assert.Equal(0, await bob.LiveMicrophoneTracksAsync());
        Assert.False(await bob.HasPeerConnectionAsync());
    }
}
