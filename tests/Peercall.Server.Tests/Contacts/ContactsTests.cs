using System.Net;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;
using Peercall.Server.Tests.Infrastructure;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Server.Tests.Contacts;

/// <summary>Every test names its users with a tag of its own and searches for it, so the tests share one server.</summary>
public sealed class ContactsTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Fact]
    public async Task The_list_shows_everyone_else_with_presence_and_last_seen_but_not_me()
    {
        var tag = Tag();
        var me = await server.SignUpAsync(tag);
        var online = await server.SignUpAsync(tag);
        var away = await server.SignUpAsync(tag);
        var never = await server.SignUpAsync(tag);
        await using var myPhone = await me.ConnectAsync();
        await myPhone.WatchAsync(away);
        await using var onlinePhone = await online.ConnectAsync();
        await using (var awayPhone = await away.ConnectAsync())
        {
            await myPhone.PresenceAsync(away.Id, PresenceState.Online);
            await server.AdvanceAsync(TimeSpan.FromMinutes(3));
        }
        var wentAway = await myPhone.PresenceAsync(away.Id, PresenceState.Offline);

        var page = await me.Api.GetContactsAsync(tag);

        Assert.Equal(3, page.TotalCount);
        Assert.DoesNotContain(page.Items, c => c.Id == me.Id);
        var byId = page.Items.ToDictionary(c => c.Id);
        Assert.Equal(new Contact(online.Id, online.Username, online.Profile.DisplayName, PresenceState.Online, null), byId[online.Id]);
        Assert.Equal(PresenceState.Offline, byId[away.Id].Presence);
        Assert.Equal(server.Time.GetUtcNow(), byId[away.Id].LastSeenAt!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal(wentAway.LastSeenAt, byId[away.Id].LastSeenAt);
        Assert.Equal(PresenceState.Offline, byId[never.Id].Presence);
        Assert.Null(byId[never.Id].LastSeenAt);
    }

    [Fact]
    public async Task Online_and_in_call_users_come_first_then_the_rest_by_name()
    {
        var tag = Tag();
        var me = await server.SignUpAsync(tag);
        var anna = await server.SignUpAsync(tag, displayName: $"Anna {tag}");
        var bert = await server.SignUpAsync(tag, displayName: $"Bert {tag}");
        var cleo = await server.SignUpAsync(tag, displayName: $"Cleo {tag}");
        var dora = await server.SignUpAsync(tag, displayName: $"dora {tag}");
        var emil = await server.SignUpAsync(tag, displayName: $"Emil {tag}");
        await using var myPhone = await me.ConnectAsync();
        await myPhone.WatchAsync(emil);
        await using var bertPhone = await bert.ConnectAsync();
        await using var doraPhone = await dora.ConnectAsync();
        await using var emilPhone = await emil.ConnectAsync();
        var call = await dora.Api.PlaceCallAsync(new PlaceCallRequest(emil.Id));
        await emil.Api.AcceptCallAsync(call.Id);
        await myPhone.PresenceAsync(emil.Id, PresenceState.InCall);

        var page = await me.Api.GetContactsAsync(tag);

        Assert.Equal([bert.Id, dora.Id, emil.Id, anna.Id, cleo.Id], page.Items.Select(c => c.Id));
        Assert.Equal([PresenceState.Online, PresenceState.InCall, PresenceState.InCall, PresenceState.Offline, PresenceState.Offline],
            page.Items.Select(c => c.Presence));
    }

    [Fact]
    public async Task Search_matches_usernames_and_display_names_without_regard_to_case()
    {
        var tag = Tag();
        var nickname = Tag();
        var me = await server.SignUpAsync(tag);
        var byUsername = await server.SignUpAsync(tag, displayName: "Someone");
        var byDisplayName = await server.SignUpAsync("other", displayName: $"Zorro {nickname} de la Vega");

        var upper = await me.Api.GetContactsAsync(tag.ToUpperInvariant());
        Assert.Equal([byUsername.Id], upper.Items.Select(c => c.Id));

        var mixed = await me.Api.GetContactsAsync($"{nickname.ToUpperInvariant()} DE LA");
        Assert.Equal([byDisplayName.Id], mixed.Items.Select(c => c.Id));
        Assert.Equal(1, mixed.TotalCount);
    }

    [Fact]
    public async Task Search_matches_letters_of_any_script_without_regard_to_case()
    {
        var tag = Tag();
        var me = await server.SignUpAsync(tag);
        var byUsername = await server.SignUpAsync($"Ärger{tag}", displayName: "Someone");
        var byDisplayName = await server.SignUpAsync("other", displayName: $"Дмитрий {tag}");

        Assert.Equal([byUsername.Id], (await me.Api.GetContactsAsync($"ärger{tag}")).Items.Select(c => c.Id));
        Assert.Equal([byDisplayName.Id], (await me.Api.GetContactsAsync($"ДМИТРИЙ {tag}")).Items.Select(c => c.Id));
        Assert.Equal([byDisplayName.Id], (await me.Api.GetContactsAsync($"дмитрий {tag}")).Items.Select(c => c.Id));
    }

    [Fact]
    public async Task Search_text_is_matched_literally_never_as_a_pattern_or_sql()
    {
        var tag = Tag();
        var me = await server.SignUpAsync(tag);
        var percent = await server.SignUpAsync("pc", displayName: $"{tag} 100%");
        await server.SignUpAsync("pc", displayName: $"{tag} 1000 and more");
        var underscore = await server.SignUpAsync("us", displayName: $"{tag} a_b");
        await server.SignUpAsync("us", displayName: $"{tag} axb");

        Assert.Equal([percent.Id], (await me.Api.GetContactsAsync($"{tag} 100%")).Items.Select(c => c.Id));
        Assert.Equal([underscore.Id], (await me.Api.GetContactsAsync($"{tag} a_b")).Items.Select(c => c.Id));
        Assert.Empty((await me.Api.GetContactsAsync("' OR 1=1 --")).Items);
        Assert.Empty((await me.Api.GetContactsAsync($"{tag}' OR '1'='1")).Items);
        Assert.Empty((await me.Api.GetContactsAsync($"{tag}\"); DROP TABLE AspNetUsers; --")).Items);
        Assert.Equal(4, (await me.Api.GetContactsAsync(tag)).TotalCount);
    }

    [Fact]
    public async Task Pages_split_the_list_without_overlap_and_say_how_many_there_are()
    {
        var tag = Tag();
        var me = await server.SignUpAsync(tag);
        var others = new List<Guid>();
        for (var i = 0; i < 5; i++) others.Add((await server.SignUpAsync(tag)).Id);

        var pages = new List<Page<Contact>>();
        for (var number = 1; number <= 4; number++) pages.Add(await me.Api.GetContactsAsync(tag, number, pageSize: 2));

        Assert.Equal([2, 2, 1, 0], pages.Select(p => p.Items.Count));
        Assert.All(pages, p => Assert.Equal(5, p.TotalCount));
        Assert.All(pages, p => Assert.Equal(2, p.PageSize));
        Assert.Equal([1, 2, 3, 4], pages.Select(p => p.PageNumber));
        Assert.Equal(others.Order(), pages.SelectMany(p => p.Items).Select(c => c.Id).Order());
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=1000", "pageSize")]
    [InlineData("pageSize=201", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("page=-3", "page")]
    public async Task A_page_out_of_range_gives_a_validation_problem(string query, string field)
    {
        var me = await server.SignUpAsync("paging");
        using var response = await server.SendAsync(HttpMethod.Get, $"api/users?{query}", accessToken: me.AccessToken);
        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed);
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task The_largest_page_is_allowed()
    {
        var me = await server.SignUpAsync("largest");
        var page = await me.Api.GetContactsAsync(pageSize: 200);
        Assert.Equal(200, page.PageSize);
    }

    [Fact]
    public async Task A_search_longer_than_64_characters_gives_a_validation_problem()
    {
        var me = await server.SignUpAsync("longsearch");
        using var response = await server.SendAsync(HttpMethod.Get, $"api/users?search={new string('s', 65)}",
            accessToken: me.AccessToken);
        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed);
        Assert.True(problem.GetProperty("errors").TryGetProperty("search", out _));
    }

    [Fact]
    public async Task The_list_needs_a_token()
    {
        using var response = await server.SendAsync(HttpMethod.Get, "api/users");
        await Refusals.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized);
    }

    /// <summary>Letters only, so that no other test's username contains it by chance of a counter.</summary>
    private static string Tag() => string.Concat(Enumerable.Range(0, 8).Select(_ => (char)('a' + Random.Shared.Next(26))));
}
