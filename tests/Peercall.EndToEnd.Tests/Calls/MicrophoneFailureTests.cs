using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Calls;

[Collection(BrowserCollection.Name)]
public sealed class MicrophoneFailureTests(EndToEndFixture env)
{
    [Fact]
    public async Task A_caller_whose_microphone_is_refused_is_told_so_and_the_callee_is_never_rung()
    {
        await using var alice = await Person.LaunchAsync(env, "alice", new BrowserOptions(GrantMicrophone: false));
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000));
        await alice.SignUpAsync();
        await bob.SignUpAsync();

        await alice.CallAsync(bob);

        await Expect(alice.Notice).ToContainTextAsync("Microphone access was refused.");
        await Expect(alice.Page.GetByTestId("call-notice")).ToHaveAttributeAsync("data-error", "true");
        await Expect(alice.CallScreen).ToHaveCountAsync(0);
        // The call was never placed: no ringing, no record on either side, no missed call for Bob.
        Assert.Empty((await (await bob.SignedInApiAsync()).GetCallHistoryAsync()).Items);
        Assert.Empty((await (await alice.SignedInApiAsync()).GetCallHistoryAsync()).Items);
        await Expect(bob.IncomingCall).ToHaveCountAsync(0);
        Assert.False(await bob.RingtonePlayingAsync());
        await alice.ExpectNoAppErrorsAsync();
    }

    [Fact]
    public async Task A_call_rings_no_one_until_the_callers_microphone_is_open()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000));
        // Alice's browser holds her microphone back until the test lets it go, as a permission prompt does.
        await alice.Page.AddInitScriptAsync("""
            const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
            let release;
            const released = new Promise(resolve => release = resolve);
            window.releaseMicrophone = release;
            navigator.mediaDevices.getUserMedia = async constraints => {
              if (constraints?.audio) await released;
              return open(constraints);
            };
            """);
        await alice.SignUpAsync();
        await bob.SignUpAsync();

        await alice.CallAsync(bob);
        await Expect(alice.CallScreen.GetByTestId("call-status")).ToHaveTextAsync("Waiting for the microphone…");
        await Task.Delay(1_000);
        await Expect(bob.IncomingCall).ToHaveCountAsync(0);
        Assert.Empty((await (await bob.SignedInApiAsync()).GetCallHistoryAsync()).Items);

        await alice.Page.EvaluateAsync("() => window.releaseMicrophone()");
        await Expect(alice.CallScreen.GetByTestId("call-status")).ToHaveTextAsync("Ringing…");
        await Expect(bob.IncomingCall).ToBeVisibleAsync();
        await alice.ExpectNoAppErrorsAsync();
    }

    [Fact]
    public async Task A_callee_without_a_microphone_is_told_so_and_the_caller_sees_why_the_call_ended()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(Microphone: false));
        await alice.SignUpAsync();
        await bob.SignUpAsync();

        await alice.CallAsync(bob);
        await bob.IncomingCall.GetByTestId("accept").ClickAsync();

        await Expect(bob.Notice).ToContainTextAsync("No microphone was found.");
        await Expect(bob.CallScreen).ToHaveCountAsync(0);
        await Expect(alice.Notice).ToHaveTextAsync($"The call ended: audio could not be set up on {bob.DisplayName}’s side.");
        await Expect(alice.CallScreen).ToHaveCountAsync(0);
        Assert.Equal(0, await alice.LiveMicrophoneTracksAsync());
        await bob.ExpectNoAppErrorsAsync();
    }
}
