using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Peercall.Contracts;
using Peercall.Server.Hosting;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Hosting;

/// <summary>Whatever a client sends, the answer is a ProblemDetails that says what is wrong, never a stack trace.</summary>
public sealed class BadInputTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Theory]
    [InlineData("""{"username": "ada",""")]
    [InlineData("""{"username": "ada" "password": "x"}""")]
    [InlineData("""{'username': 'ada'}""")]
    [InlineData("not json at all")]
    [InlineData("[]")]
    public async Task Malformed_json_gives_400(string body)
    {
        using var response = await server.SendAsync(HttpMethod.Post, "api/auth/login", body);
        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.BadRequest);
        Assert.Contains("JSON", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("api/auth/register", """{"username": 5, "password": "long enough"}""", "$.username")]
    [InlineData("api/auth/register", """{"username": "ada", "password": true}""", "$.password")]
    [InlineData("api/auth/login", """{"username": ["ada"], "password": "x"}""", "$.username")]
    [InlineData("api/auth/refresh", """{"refreshToken": {"nested": 1}}""", "$.refreshToken")]
    public async Task A_value_of_the_wrong_json_type_gives_400_naming_where(string path, string body, string where)
    {
        using var response = await server.SendAsync(HttpMethod.Post, path, body);
        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.BadRequest);
        Assert.Contains(where, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Wrong_types_in_call_requests_give_400_naming_where()
    {
        var user = await server.SignUpAsync("types");
        using var notAGuid = await server.SendAsync(HttpMethod.Post, "api/calls", """{"calleeId": "nope"}""",
            user.AccessToken);
        Assert.Contains("$.calleeId", (await Refusals.ProblemAsync(notAGuid, HttpStatusCode.BadRequest,
            ProblemCodes.BadRequest)).GetProperty("detail").GetString());

        foreach (var media in new[] { "hologram", "" })
        {
            using var unknown = await server.SendAsync(HttpMethod.Post, "api/calls",
                $$"""{"calleeId": "{{Guid.NewGuid()}}", "media": "{{media}}"}""", user.AccessToken);
            Assert.Contains("$.media", (await Refusals.ProblemAsync(unknown, HttpStatusCode.BadRequest,
                ProblemCodes.BadRequest)).GetProperty("detail").GetString());
        }
        Assert.Empty((await user.Api.GetCallHistoryAsync()).Items);

        using var page = await server.SendAsync(HttpMethod.Get, "api/users?page=abc", accessToken: user.AccessToken);
        await Refusals.ProblemAsync(page, HttpStatusCode.BadRequest, ProblemCodes.BadRequest);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    public async Task A_missing_body_gives_400_that_says_so(string body)
    {
        using var response = await server.SendAsync(HttpMethod.Post, "api/auth/login", body);
        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.BadRequest);
        Assert.Contains("missing", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Json_nested_deeper_than_the_reader_allows_gives_400()
    {
        var body = new string('[', 10_000) + new string(']', 10_000);
        using var response = await server.SendAsync(HttpMethod.Post, "api/auth/login", body);
        await Refusals.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.BadRequest);
    }

    [Fact]
    public async Task Bytes_that_are_not_utf8_give_400()
    {
        using var http = server.NewHttpClient();
        using var content = new ByteArrayContent([.. "{\"username\":\""u8, 0xC3, 0x28, 0xFF, .. "\",\"password\":\"x\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync("api/auth/login", content);
        await Refusals.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.BadRequest);
    }

    [Fact]
    public async Task A_body_over_the_limit_gives_413()
    {
        var body = $$"""{"username": "{{new string('a', (int)HttpSetup.MaxRequestBodyBytes)}}", "password": "x"}""";
        using var response = await server.SendAsync(HttpMethod.Post, "api/auth/register", body);
        await Refusals.ProblemAsync(response, (HttpStatusCode)413, ProblemCodes.BadRequest);
    }

    [Fact]
    public async Task A_chunked_body_that_grows_over_the_limit_gives_413()
    {
        using var http = server.NewHttpClient();
        var chunk = Encoding.UTF8.GetBytes(new string(' ', 8 * 1024));
        using var content = new PushContent(async stream =>
        {
            await stream.WriteAsync("{\"username\":\"ada\","u8.ToArray());
            for (var i = 0; i < 16; i++) await stream.WriteAsync(chunk);
            await stream.WriteAsync("\"password\":\"long enough\"}"u8.ToArray());
        });
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync("api/auth/register", content);
        await Refusals.ProblemAsync(response, (HttpStatusCode)413);
    }

    [Fact]
    public async Task A_long_but_small_enough_value_gives_a_validation_problem_not_an_error()
    {
        var body = $$"""{"username": "{{new string('a', 50_000)}}", "password": "long enough"}""";
        using var response = await server.SendAsync(HttpMethod.Post, "api/auth/register", body);
        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed);
        Assert.True(problem.GetProperty("errors").TryGetProperty("username", out _));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    public async Task A_body_that_is_not_json_gives_415(string contentType)
    {
        using var response = await server.SendAsync(HttpMethod.Post, "api/auth/login",
            """{"username": "ada", "password": "long enough"}""", contentType: contentType);
        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, ProblemCodes.BadRequest);
        Assert.Contains("application/json", problem.GetProperty("detail").GetString());
    }

    /// <summary>A body written as it goes, without a Content-Length, as a chunked upload is.</summary>
    private sealed class PushContent(Func<Stream, Task> write) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => write(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }

        protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken ct) =>
            write(stream).GetAwaiter().GetResult();
    }
}
