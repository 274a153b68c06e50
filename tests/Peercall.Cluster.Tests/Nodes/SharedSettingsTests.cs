using System.Net.Http.Headers;
using Peercall.Client;
using Peercall.Contracts.Accounts;
using Peercall.Cluster.Tests.Infrastructure;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Cluster.Tests.Nodes;

/// <summary>What makes three processes one server: one database, one signing key, one realtime backplane.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SharedSettingsTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Every_node_is_healthy_on_the_shared_postgresql_and_redis()
    {
        for (var number = 1; number <= ClusterFixture.NodeCount; number++)
        {
            using var http = (await cluster.RunningNodeAsync(number)).NewHttpClient();
            using var response = await http.GetAsync("healthz");
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task An_account_made_on_one_node_signs_in_on_another_and_its_token_works_on_the_third()
    {
        var username = cluster.UniqueName("roamer");
        var registered = await new PeercallApi((await cluster.RunningNodeAsync(1)).NewHttpClient())
            .RegisterAsync(new RegisterRequest(username, "correct horse battery", "Roamer"));

        var onNode2 = new PeercallApi((await cluster.RunningNodeAsync(2)).NewHttpClient());
        var tokens = await onNode2.LoginAsync(new LoginRequest(username, "correct horse battery"));

        using var onNode3 = (await cluster.RunningNodeAsync(3)).NewHttpClient();
        onNode3.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        using var me = await onNode3.GetAsync("api/users/me");
        me.EnsureSuccessStatusCode();
        Assert.Contains(registered.Id.ToString(), await me.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_user_on_one_node_hears_about_a_user_who_connects_to_another()
    {
        await using var alice = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(1), "alice");
        await using var bob = await Person.JoinAsync(cluster, await cluster.RunningNodeAsync(2), "bob", alice);

        await alice.PresenceOfAsync(bob.Id, PresenceState.Online);
    }

    [Fact]
    public async Task A_node_on_redis_refuses_to_start_without_the_shared_database_or_the_shared_signing_key()
    {
        var onSqlite = new Dictionary<string, string>(cluster.Settings) { ["Peercall:Database:Provider"] = "sqlite" };
        var ownKey = new Dictionary<string, string>(cluster.Settings) { ["Peercall:Auth:SigningKey"] = "" };

        foreach (var (settings, expected) in new[] { (onSqlite, "Peercall:Database:Provider"), (ownKey, "Peercall:Auth:SigningKey") })
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerNode.StartAsync("misconfigured", settings));
            Assert.Contains(expected, failure.Message);
        }
    }
}
