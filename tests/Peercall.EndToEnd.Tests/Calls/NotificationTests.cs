using System.Text.Json;
using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Calls;

/// <summary>
/// A call to a page that is not in front shows a system notification with Accept and Decline. Headless Chromium
/// has no window to hide and no notification to click, so the test makes the page report itself hidden (as a
/// background tab does) and plays the service worker's part of a click (see <see cref="ClickNotificationAsync"/>).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NotificationTests(EndToEndFixture env)
{
    private const string InTheBackground = """
        Object.defineProperty(document, 'visibilityState', { get: () => 'hidden' });
        Object.defineProperty(document, 'hidden', { get: () => true });
        """;

    [Fact]
    public async Task A_call_to_a_page_in_the_background_shows_a_notification_whose_accept_answers_it()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        await using var bob = await BackgroundedAsync("bob");
        await alice.SignUpAsync();
        await bob.SignUpAsync();

        await alice.CallAsync(bob);

        var shown = await NotificationShownAsync(bob);
        Assert.Equal("Incoming call", shown.GetProperty("title").GetString());
        Assert.Equal(alice.DisplayName, shown.GetProperty("body").GetString());
        Assert.Equal(["accept", "decline"], shown.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));

        await ClickNotificationAsync(bob, "accept");

        await Task.WhenAll(alice.ExpectAudioArrivedAsync(10_000), bob.ExpectAudioArrivedAsync(10_000));
        await Expect(bob.CallScreen).ToHaveAttributeAsync("data-phase", "active");
        Assert.Equal(0, await NotificationCountAsync(bob));
    }

    [Fact]
    public async Task Decline_in_the_notification_declines_and_a_call_that_stops_ringing_takes_its_notification_away()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        await using var bob = await BackgroundedAsync("bob");
        await alice.SignUpAsync();
        await bob.SignUpAsync();

        await alice.CallAsync(bob);
        await NotificationShownAsync(bob);
        await ClickNotificationAsync(bob, "decline");
        await Expect(alice.Notice).ToHaveTextAsync($"{bob.DisplayName} declined the call.");

        await alice.CallAsync(bob);
        await NotificationShownAsync(bob);
        await alice.CallScreen.GetByTestId("cancel").ClickAsync();
        await Eventually.HoldsAsync(async () => await NotificationCountAsync(bob) == 0, TimeSpan.FromSeconds(5),
            "the cancelled call's notification goes away");
    }

    [Fact]
    public async Task A_page_in_front_rings_without_a_notification()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000));
        await bob.Context.GrantPermissionsAsync(["notifications"]);
        await alice.SignUpAsync();
        await bob.SignUpAsync();

        await alice.CallAsync(bob);

        await Expect(bob.IncomingCall).ToBeVisibleAsync();
        await Task.Delay(1_000);
        Assert.Equal(0, await NotificationCountAsync(bob));
    }

    [Fact]
    public async Task After_sign_in_the_app_asks_once_in_its_own_words_to_allow_notifications()
    {
        await using var asked = await Person.LaunchAsync(env, "carol");
        await using var allowed = await Person.LaunchAsync(env, "dave");
        await allowed.Context.GrantPermissionsAsync(["notifications"]);

        await asked.OpenAsync();
        await Expect(asked.Page.GetByTestId("notification-prompt")).ToHaveCountAsync(0);
        await asked.SignUpAsync();
        var prompt = asked.Page.GetByTestId("notification-prompt");
        await Expect(prompt).ToContainTextAsync("Allow notifications to learn about calls while Peercall is in the background.");
        await prompt.GetByTestId("notifications-not-now").ClickAsync();
        await Expect(prompt).ToHaveCountAsync(0);
        await asked.Page.ReloadAsync();
        await Expect(asked.Page.GetByTestId("me")).ToBeVisibleAsync();
        await Expect(prompt).ToHaveCountAsync(0);

        await allowed.SignUpAsync();
        await Expect(allowed.Page.GetByTestId("me")).ToBeVisibleAsync();
        await Expect(allowed.Page.GetByTestId("notification-prompt")).ToHaveCountAsync(0);
    }

    private async Task<Person> BackgroundedAsync(string name)
    {
        var person = await Person.LaunchAsync(env, name, new BrowserOptions(ToneHertz: 1000));
        await person.Context.GrantPermissionsAsync(["notifications"]);
        await person.Context.AddInitScriptAsync(InTheBackground);
        return person;
    }

    private static async Task<JsonElement> NotificationShownAsync(Person person)
    {
        await Eventually.HoldsAsync(async () => await NotificationCountAsync(person) == 1, TimeSpan.FromSeconds(10),
            $"{person.DisplayName} is shown one notification");
        var shown = await person.Page.EvaluateAsync<JsonElement>("""
            async () => {
              const [n] = await (await navigator.serviceWorker.getRegistration()).getNotifications();
              return { title: n.title, body: n.body, actions: n.actions.map(a => a.action) };
            }
            """);
        return shown;
    }

    private static Task<int> NotificationCountAsync(Person person) => person.Page.EvaluateAsync<int>("""
        async () => (await (await navigator.serviceWorker.getRegistration())?.getNotifications() ?? []).length
        """);

    /// <summary>What the app receives when the person clicks the notification's button: the service worker's click
    /// handler (js/call-notifications-sw.js) closes the notification and posts this message to the app's window.
    /// Playwright for .NET cannot run script in a service worker, so the test does both here.</summary>
    private static Task ClickNotificationAsync(Person person, string action) => person.Page.EvaluateAsync("""
        async action => {
          const registration = await navigator.serviceWorker.getRegistration();
          const [notification] = await registration.getNotifications();
          notification.close();
          navigator.serviceWorker.dispatchEvent(new MessageEvent('message',
            { data: { type: 'peercall-call-notification', callId: notification.data.callId, action } }));
        }
        """, action);
}
