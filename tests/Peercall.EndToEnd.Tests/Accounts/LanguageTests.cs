using System.Text.RegularExpressions;
using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Accounts;

[Collection(BrowserCollection.Name)]
public sealed partial class LanguageTests(EndToEndFixture env)
{
    [Fact]
    public async Task A_Russian_browser_gets_every_screen_in_Russian_and_can_switch_to_English()
    {
        var russian = new BrowserOptions(Locale: "ru-RU");
        await using var alice = await Person.LaunchAsync(env, "alice", russian);
        await using var bob = await Person.LaunchAsync(env, "bob", russian with { ToneHertz = 1000 });
        await bob.SignUpAsync();

        await alice.OpenAsync("register");
        await Expect(alice.Page.Locator("h1")).ToHaveTextAsync("Регистрация");
        await Expect(alice.Page.Locator("html")).ToHaveAttributeAsync("lang", "ru");
        await alice.Page.GetByTestId("submit").ClickAsync();
        await Expect(alice.Page.GetByTestId("error-username")).ToHaveTextAsync("Введите имя пользователя.");
        await AssertAllRussianAsync(alice, bob);

        await alice.OpenAsync("signin");
        await AssertAllRussianAsync(alice, bob);
        await alice.SignUpAsync();
        await alice.Page.GetByTestId("search").FillAsync(bob.Username);
        await alice.ExpectPresenceAsync(bob, "online");
        await Expect(alice.Contact(bob).GetByTestId("presence")).ToHaveTextAsync("в сети");
        await AssertAllRussianAsync(alice, bob);

        await alice.CallAsync(bob);
        await Expect(alice.CallScreen.GetByTestId("call-status")).ToHaveTextAsync("Вызов…");
        await AssertAllRussianAsync(alice, bob);
        await Expect(bob.IncomingCall).ToContainTextAsync("Входящий звонок");
        await AssertAllRussianAsync(bob, alice);
        await bob.IncomingCall.GetByTestId("accept").ClickAsync();
        await Task.WhenAll(alice.ExpectAudioArrivedAsync(), bob.ExpectAudioArrivedAsync());
        await Expect(alice.CallScreen.GetByTestId("quality")).ToBeVisibleAsync();
        await AssertAllRussianAsync(alice, bob);
        await alice.CallScreen.GetByTestId("hang-up").ClickAsync();
        await Expect(bob.Notice).ToHaveTextAsync($"{alice.DisplayName} завершил(а) звонок.");
        await AssertAllRussianAsync(bob, alice);
        await bob.OpenHistoryAsync();
        await AssertAllRussianAsync(bob, alice);

        await alice.Page.GetByTestId("language").SelectOptionAsync("en");
        await Expect(alice.Page.GetByTestId("nav-contacts")).ToHaveTextAsync("Contacts");
        await Expect(alice.Notice).ToContainTextAsync("Call ended");
        await alice.Page.ReloadAsync();
        await Expect(alice.Page.GetByTestId("nav-contacts")).ToHaveTextAsync("Contacts");
        await Expect(alice.Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
    }

    /// <summary>No English word is left on the page: only names, the product's name, the language picker's own
    /// "English" and the "ms" unit may be in Latin letters.</summary>
    private static async Task AssertAllRussianAsync(Person person, Person other)
    {
        var allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Peercall", "English", "ms" };
        foreach (var someone in new[] { person, other })
        {
            allowed.Add(someone.DisplayName);
            allowed.UnionWith(LatinWord().Matches(someone.Username).Select(m => m.Value));
        }
        var english = (await person.VisibleTextsAsync())
            .SelectMany(text => LatinWord().Matches(text).Select(m => m.Value))
            .Where(word => !allowed.Contains(word))
            .Distinct()
            .ToList();
        Assert.True(english.Count == 0, $"Untranslated on {person.Page.Url}: {string.Join(", ", english)}");
    }

    [GeneratedRegex("[A-Za-z]{2,}")]
    private static partial Regex LatinWord();
}
