using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Calls;

/// <summary>
/// Calls of more than two people, media peer to peer between each pair. Each person's browser plays its own tone
/// (and, with video, shows its own colour), so what each one hears and sees can be told apart: everyone else's,
/// never their own, nobody missing.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class GroupCallTests(EndToEndFixture env)
{
    private const int AliceHz = 440, BobHz = 1000, CarolHz = 700, DaveHz = 1500;

    [Fact]
    public async Task Three_people_hear_each_other_a_fourth_joins_and_hears_everyone_and_those_left_keep_talking()
    {
        await using var alice = await Person.LaunchAsync(env, "alice", new BrowserOptions(ToneHertz: AliceHz));
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: BobHz));
        await using var carol = await Person.LaunchAsync(env, "carol", new BrowserOptions(ToneHertz: CarolHz));
        await using var dave = await Person.LaunchAsync(env, "dave", new BrowserOptions(ToneHertz: DaveHz));
        await Task.WhenAll(alice.SignUpAsync(), bob.SignUpAsync(), carol.SignUpAsync(), dave.SignUpAsync());

        await alice.CallAsync(bob);
        await bob.IncomingCall.GetByTestId("accept").ClickAsync();
        await Task.WhenAll(alice.ExpectAudioArrivedAsync(), bob.ExpectAudioArrivedAsync());

        // Alice adds Carol from the call: Carol's app rings with who is in it. She declines, which Alice is told;
        // rung again, she joins.
        await alice.AddToCallAsync(carol);
        await Expect(carol.IncomingCall.GetByTestId("group-note")).ToContainTextAsync(bob.DisplayName);
        await Expect(alice.Tile(carol)).ToHaveAttributeAsync("data-state", "ringing");
        await carol.IncomingCall.GetByTestId("decline").ClickAsync();
        await Expect(alice.Notice).ToHaveTextAsync($"{carol.DisplayName} declined.");
        await Expect(alice.Tile(carol)).ToHaveCountAsync(0);
        await alice.AddToCallAsync(carol);
        await carol.IncomingCall.GetByTestId("accept").ClickAsync();
        await Task.WhenAll(
            alice.ExpectHearingAsync(BobHz, CarolHz),
            bob.ExpectHearingAsync(AliceHz, CarolHz),
            carol.ExpectHearingAsync(AliceHz, BobHz));
        await Expect(carol.CallScreen.GetByTestId("participants")).ToHaveAttributeAsync("data-count", "2");

        // Alice turns her camera on: among three she sends it at full size to each.
        await alice.CallScreen.GetByTestId("camera").ClickAsync();
        await Expect(bob.Tile(alice).GetByTestId("tile-video")).ToBeVisibleAsync();
        await Eventually.HoldsAsync(async () => (await alice.SentCameraAsync())?.Scales is [1, 1],
            TimeSpan.FromSeconds(10), "Alice sends her camera unscaled to both others");

        // Bob adds Dave in the middle of the call: he is heard by all three and hears all three.
        await bob.AddToCallAsync(dave);
        await dave.IncomingCall.GetByTestId("accept").ClickAsync();
        await Task.WhenAll(
            alice.ExpectHearingAsync(BobHz, CarolHz, DaveHz),
            bob.ExpectHearingAsync(AliceHz, CarolHz, DaveHz),
            carol.ExpectHearingAsync(AliceHz, BobHz, DaveHz),
            dave.ExpectHearingAsync(AliceHz, BobHz, CarolHz));
        // Four people: Alice's camera goes at half size to each of the three, Dave too sees it.
        await Eventually.HoldsAsync(async () => (await alice.SentCameraAsync())?.Scales is [2, 2, 2],
            TimeSpan.FromSeconds(10), async () => $"Alice sends her camera at half size to all three: {string.Join(", ", (await alice.SentCameraAsync())?.Scales ?? [])}");
        await Expect(dave.Tile(alice).GetByTestId("tile-video")).ToBeVisibleAsync();
        foreach (var person in new[] { alice, bob, carol, dave })
            await Expect(person.CallScreen.GetByTestId("participants")).ToHaveAttributeAsync("data-count", "3");

        // Alice, who started it, leaves; the three others keep hearing each other.
        await alice.CallScreen.GetByTestId("hang-up").ClickAsync();
        await Expect(alice.CallScreen).ToHaveCountAsync(0);
        Assert.Equal(0, await alice.LiveTracksAsync());
        await Task.WhenAll(
            bob.ExpectHearingAsync(CarolHz, DaveHz),
            carol.ExpectHearingAsync(BobHz, DaveHz),
            dave.ExpectHearingAsync(BobHz, CarolHz));
        await Expect(bob.Tile(alice)).ToHaveCountAsync(0);

        // Everyone's tone plays all the time, so each tile says its person speaks; muting shows on the others'
        // tiles, and a muted person no longer speaks.
        await Expect(bob.Tile(carol)).ToHaveAttributeAsync("data-speaking", "true");
        await carol.CallScreen.GetByTestId("mute").ClickAsync();
        await Expect(bob.Tile(carol)).ToHaveAttributeAsync("data-muted", "true");
        await Expect(dave.Tile(carol)).ToHaveAttributeAsync("data-muted", "true");
        await Expect(bob.Tile(carol)).ToHaveAttributeAsync("data-speaking", "false");
        await Expect(bob.Tile(dave)).ToHaveAttributeAsync("data-speaking", "true");

        // Two leave; the last one is not left alone in a call.
        await bob.CallScreen.GetByTestId("hang-up").ClickAsync();
        await carol.CallScreen.GetByTestId("hang-up").ClickAsync();
        await Expect(dave.CallScreen).ToHaveCountAsync(0);
        Assert.Equal(0, await dave.LiveTracksAsync());

        // Everyone's history lists the call with all four, each as joined and left.
        var history = await (await dave.SignedInApiAsync()).GetCallHistoryAsync();
        var call = history.Items[0];
        Assert.Equal(
            new[] { alice.Username, bob.Username, carol.Username, dave.Username }.Order(),
            call.Participants.Select(p => p.Party.Username).Order());
        Assert.All(call.Participants, p => Assert.NotNull(p.JoinedAt));
        foreach (var person in new[] { alice, bob, carol, dave })
            await person.ExpectNoAppErrorsAsync();
    }

    [Fact]
    public async Task A_video_call_started_with_two_people_at_once_shows_each_of_the_three_the_other_two_cameras()
    {
        await using var alice = await Person.LaunchAsync(env, "alice", new BrowserOptions(ToneHertz: AliceHz, Camera: Colour.Red));
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: BobHz, Camera: Colour.Blue));
        await using var carol = await Person.LaunchAsync(env, "carol", new BrowserOptions(ToneHertz: CarolHz, Camera: Colour.Green));
        await Task.WhenAll(alice.SignUpAsync(), bob.SignUpAsync(), carol.SignUpAsync());

        await alice.GroupCallAsync(video: true, bob, carol);
        await Expect(alice.Tile(bob)).ToHaveAttributeAsync("data-state", "ringing");
        await Expect(alice.Tile(carol)).ToHaveAttributeAsync("data-state", "ringing");
        await Expect(bob.IncomingCall.GetByTestId("group-note")).ToContainTextAsync(carol.DisplayName);
        await bob.IncomingCall.GetByTestId("accept").ClickAsync();
        await Expect(carol.IncomingCall.GetByTestId("group-note")).ToContainTextAsync(bob.DisplayName);
        await carol.IncomingCall.GetByTestId("accept").ClickAsync();

        await Task.WhenAll(
            alice.ExpectTileVideoAsync(bob, Colour.Blue), alice.ExpectTileVideoAsync(carol, Colour.Green),
            bob.ExpectTileVideoAsync(alice, Colour.Red), bob.ExpectTileVideoAsync(carol, Colour.Green),
            carol.ExpectTileVideoAsync(alice, Colour.Red), carol.ExpectTileVideoAsync(bob, Colour.Blue));
        await carol.ExpectHearingAsync(AliceHz, BobHz);

        // History shows the call with both others, and who joined.
        await alice.CallScreen.GetByTestId("hang-up").ClickAsync();
        await alice.OpenHistoryAsync();
        await Expect(alice.HistoryEntries.First.GetByTestId("names")).ToHaveTextAsync($"{bob.DisplayName}, {carol.DisplayName}");
        await Expect(alice.HistoryEntries.First.GetByTestId("joined")).ToContainTextAsync($"{bob.DisplayName}, {carol.DisplayName}");
        foreach (var person in new[] { alice, bob, carol })
            await person.ExpectNoAppErrorsAsync();
    }
}
