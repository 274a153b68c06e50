using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peercall.Contracts;
using Peercall.Contracts.Accounts;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Accounts;

public sealed class RegistrationTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Fact]
    public async Task Registering_returns_201_with_the_user_and_where_to_find_it()
    {
        var username = server.UniqueName("ada");
        using var response = await server.SendAsync(HttpMethod.Post, "api/auth/register",
            Json(new { username, password = "long enough", displayName = "Ada Lovelace" }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var user = (await response.Content.ReadFromJsonAsync<UserProfile>())!;
        Assert.Equal(username, user.Username);
        Assert.Equal("Ada Lovelace", user.DisplayName);
        Assert.NotEqual(Guid.Empty, user.Id);
        Assert.Equal(server.Time.GetUtcNow(), user.CreatedAt, TimeSpan.FromSeconds(1));
        Assert.Equal($"/api/users/{user.Id}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Without_a_display_name_the_username_is_shown()
    {
        var username = server.UniqueName("plain");
        var user = await server.NewApi().RegisterAsync(new RegisterRequest(username, "long enough"));
        Assert.Equal(username, user.DisplayName);
    }

    [Fact]
    public async Task A_username_taken_in_any_case_gives_409()
    {
        var username = server.UniqueName("Grace");
        await server.NewApi().RegisterAsync(new RegisterRequest(username, "long enough"));

        foreach (var variant in new[] { username, username.ToUpperInvariant(), username.ToLowerInvariant() })
        {
            using var response = await server.SendAsync(HttpMethod.Post, "api/auth/register",
                Json(new { username = variant, password = "another password" }));
            await Refusals.ProblemAsync(response, HttpStatusCode.Conflict, ProblemCodes.UsernameTaken);
        }
    }

    public static TheoryData<string, string, string?, string> InvalidFields => new()
    {
        { "ab", "long enough", null, "username" },
        { new string('a', 33), "long enough", null, "username" },
        { "", "long enough", null, "username" },
        { "has space", "long enough", null, "username" },
        { "at@sign", "long enough", null, "username" },
        { "semi;colon", "long enough", null, "username" },
        { "emoji\U0001F600", "long enough", null, "username" },
        { "zero\u200Bwidth", "long enough", null, "username" },
        { "valid.name", "short", null, "password" },
        { "valid.name", "", null, "password" },
        { "valid.name", new string('p', 257), null, "password" },
        { "valid.name", "long enough", "bell\u0007", "displayName" },
        { "valid.name", "long enough", "new\nline", "displayName" },
        { "valid.name", "long enough", "zero\u200Bwidth", "displayName" },
        { "valid.name", "long enough", "right\u202Eto left", "displayName" },
        { "valid.name", "long enough", "bom\uFEFF", "displayName" },
        { "valid.name", "long enough", new string('d', 65), "displayName" },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public async Task An_invalid_field_gives_a_validation_problem_naming_that_field(
        string username, string password, string? displayName, string field)
    {
        using var response = await server.SendAsync(HttpMethod.Post, "api/auth/register",
            Json(new { username, password, displayName }));

        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed);
        var errors = problem.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
        Assert.False(string.IsNullOrWhiteSpace(errors.GetProperty(field)[0].GetString()));
    }

    [Fact]
    public async Task Every_invalid_field_is_named_at_once_and_nothing_is_stored()
    {
        using var response = await server.SendAsync(HttpMethod.Post, "api/auth/register",
            Json(new { username = "x", password = "short", displayName = "tab\there" }));

        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed);
        Assert.Equal(["displayName", "password", "username"],
            problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        await using var db = server.OpenDatabase();
        Assert.Equal(0L, Scalar(db, "SELECT COUNT(*) FROM \"AspNetUsers\" WHERE \"UserName\" = 'x'"));
    }

    [Fact]
    public async Task Usernames_and_display_names_are_trimmed()
    {
        var username = server.UniqueName("trim");
        var user = await server.NewApi().RegisterAsync(new RegisterRequest($"  {username} ", "long enough", "  Spaced Out  "));
        Assert.Equal(username, user.Username);
        Assert.Equal("Spaced Out", user.DisplayName);
    }

    [Fact]
    public async Task Names_are_brought_to_one_unicode_form_so_lookalikes_cannot_both_register()
    {
        var suffix = server.UniqueName("");
        var decomposed = $"e\u0301mile{suffix}";
        var composed = $"\u00E9mile{suffix}";

        var user = await server.NewApi().RegisterAsync(new RegisterRequest(decomposed, "long enough", "Cafe\u0301"));
        Assert.Equal(composed, user.Username);
        Assert.Equal("Caf\u00E9", user.DisplayName);

        await Refusals.ApiAsync(() => server.NewApi().RegisterAsync(new RegisterRequest(composed, "long enough")),
            HttpStatusCode.Conflict, ProblemCodes.UsernameTaken);
        var pair = await server.NewApi().LoginAsync(new LoginRequest(decomposed, "long enough"));
        Assert.Equal(user.Id, pair.User.Id);
    }

    [Fact]
    public async Task Letters_of_any_script_are_allowed_and_unique_without_regard_to_case()
    {
        var username = $"Дмитрий{server.UniqueName("")}";
        var user = await server.NewApi().RegisterAsync(new RegisterRequest(username, "пароль-пароль", "Дмитрий Шостакович"));
        Assert.Equal(username, user.Username);
        Assert.Equal("Дмитрий Шостакович", user.DisplayName);

        await Refusals.ApiAsync(
            () => server.NewApi().RegisterAsync(new RegisterRequest(username.ToLowerInvariant(), "long enough")),
            HttpStatusCode.Conflict, ProblemCodes.UsernameTaken);
        var pair = await server.NewApi().LoginAsync(new LoginRequest(username.ToUpperInvariant(), "пароль-пароль"));
        Assert.Equal(user.Id, pair.User.Id);
    }

    [Fact]
    public async Task Sql_looking_input_is_stored_and_returned_literally()
    {
        const string displayName = "Robert'); DROP TABLE AspNetUsers;--";
        const string password = "' OR '1'='1'; --";
        var username = server.UniqueName("bobby");
        var user = await server.NewApi().RegisterAsync(new RegisterRequest(username, password, displayName));
        Assert.Equal(displayName, user.DisplayName);

        var api = server.NewApi();
        await api.LoginAsync(new LoginRequest(username, password));
        Assert.Equal(displayName, (await api.GetMeAsync()).DisplayName);
        await Refusals.ApiAsync(() => server.NewApi().LoginAsync(new LoginRequest(username, "' OR 1=1 --")),
            HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials);
        await Refusals.ApiAsync(() => server.NewApi().LoginAsync(new LoginRequest("' OR 1=1 --", password)),
            HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials);

        await using var db = server.OpenDatabase();
        Assert.True(Scalar(db, "SELECT COUNT(*) FROM \"AspNetUsers\"") > 0);
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private static long Scalar(System.Data.Common.DbConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
