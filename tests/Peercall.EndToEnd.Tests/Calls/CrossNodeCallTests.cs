using System.Security.Cryptography;
using Peercall.Cluster.Tests.Infrastructure;
using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Calls;

/// <summary>Two nodes of one cluster (a real PostgreSQL and Redis started for the test): Alice's browser talks to
/// node 1 only, Bob's to node 2 only, and the call works as on one server.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CrossNodeCallTests(EndToEndFixture env)
{
    [Fact]
    public async Task Alice_through_node_1_calls_Bob_through_node_2_and_they_hear_each_other()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using var redis = await RedisServer.StartAsync();
        var database = await postgres.CreateDatabaseAsync("peercall");
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        Dictionary<string, string> Node(int number) => new()
        {
            ["Peercall:Database:Provider"] = "postgres",
            ["Peercall:Database:ConnectionString"] = database,
            ["Peercall:Redis:ConnectionString"] = redis.ConnectionString,
            ["Peercall:Redis:NodeId"] = $"node-{number}",
            ["Peercall:Auth:SigningKey"] = signingKey,
        };
        await using var node1 = await ServerProcess.StartAsync("cluster-node-1", Node(1));
        await using var node2 = await ServerProcess.StartAsync("cluster-node-2", Node(2));

        await using var alice = await Person.LaunchAsync(env, "alice", new BrowserOptions(ToneHertz: 440), server: node1);
        await using var bob = await Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000), server: node2);
        await alice.SignUpAsync();
        await bob.SignUpAsync();
        await alice.Page.GetByTestId("search").FillAsync(bob.Username);
        await alice.ExpectPresenceAsync(bob, "online");

        await alice.CallAsync(bob);
        await Expect(bob.IncomingCall).ToBeVisibleAsync();
        await Expect(bob.IncomingCall.GetByTestId("caller-name")).ToHaveTextAsync(alice.DisplayName);
        await bob.IncomingCall.GetByTestId("accept").ClickAsync();

        await Task.WhenAll(alice.ExpectAudioArrivedAsync(), bob.ExpectAudioArrivedAsync());
        Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);
        Assert.InRange(await alice.DominantFrequencyAsync(), 980, 1020);

        await alice.CallScreen.GetByTestId("hang-up").ClickAsync();
        await Expect(bob.CallScreen).ToHaveCountAsync(0);
        await Expect(bob.Notice).ToContainTextAsync($"{alice.DisplayName} hung up.");
        await alice.ExpectNoAppErrorsAsync();
        await bob.ExpectNoAppErrorsAsync();
    }
}
