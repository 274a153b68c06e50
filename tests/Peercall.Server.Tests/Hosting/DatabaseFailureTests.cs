using System.Net;
using Peercall.Contracts;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Hosting;

/// <summary>Each test breaks its own server's database on purpose.</summary>
public sealed class DatabaseFailureTests
{
    [Fact]
    public async Task An_unexpected_error_gives_500_problem_details_without_internals()
    {
        await using var server = new PeercallServer();
        var user = await server.SignUpAsync("broken");
        await using (var db = server.OpenDatabase())
        {
            using var drop = db.CreateCommand();
            drop.CommandText = "DROP TABLE \"CallParticipants\"; DROP TABLE \"Calls\"";
            drop.ExecuteNonQuery();
        }

        using var response = await server.SendAsync(HttpMethod.Get, "api/calls", accessToken: user.AccessToken);

        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.InternalServerError, ProblemCodes.ServerError);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Calls", body);
        Assert.DoesNotContain("SELECT", body);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Contains(server.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task Healthz_reports_unhealthy_when_the_database_is_gone()
    {
        await using var server = new PeercallServer();
        TestDatabase.Destroy(server.DataDirectory);

        using var response = await server.SendAsync(HttpMethod.Get, "healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
