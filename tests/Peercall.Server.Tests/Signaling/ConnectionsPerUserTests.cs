using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Peercall.Contracts;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Signaling;

/// <summary>One account may hold only so many realtime connections (Peercall:Signaling:MaxConnectionsPerUser,
/// 10 by default), so that one stolen token or runaway client cannot take a server's files. The one over the cap is
/// refused before the WebSocket upgrade, with a 429 that says why; everyone else is unaffected.</summary>
public sealed class ConnectionsPerUserTests
{
    [Fact]
    public async Task The_connection_over_an_accounts_cap_gets_429_and_closing_one_makes_room()
    {
        await using var server = new PeercallServer(new() { ["Peercall:Signaling:MaxConnectionsPerUser"] = "3" });
        var alice = await server.SignUpAsync("alice");
        var bob = await server.SignUpAsync("bob");
        var devices = new List<TestDevice>();
        try
        {
            for (var i = 0; i < 3; i++) devices.Add(await alice.ConnectAsync(reconnect: false));

            await AssertRefusedAsync(server, alice.AccessToken);
            // The cap is the account's, not the sign-in session's.
            await AssertRefusedAsync(server, (await alice.SignInAgainAsync()).AccessToken);
            await Assert.ThrowsAnyAsync<Exception>(() => alice.ConnectAsync(reconnect: false));

            await using var bobDevice = await bob.ConnectAsync();
            Assert.Equal(bobDevice.Id, await bobDevice.Connection.GetConnectionId());
            foreach (var device in devices) Assert.Equal(device.Id, await device.Connection.GetConnectionId());

            await devices[0].Connection.StopAsync();
            var again = await ConnectWhenRoomAsync(alice);
            devices.Add(again);
            Assert.Equal(again.Id, await again.Connection.GetConnectionId());
            await AssertRefusedAsync(server, alice.AccessToken);
        }
        finally
        {
            foreach (var device in devices) await device.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ten_connections_of_one_account_each_watching_a_thousand_users_are_served_and_the_eleventh_gets_429()
    {
        await using var server = new PeercallServer();
        var user = await server.SignUpAsync("busy");
        var watched = Enumerable.Range(0, 1_000).Select(_ => Guid.NewGuid()).ToList();
        var devices = new List<TestDevice>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var device = await user.ConnectAsync(reconnect: false);
                devices.Add(device);
                Assert.Equal(1_000, (await device.Connection.WatchPresence(watched)).Count);
            }

            await AssertRefusedAsync(server, user.AccessToken);
        }
        finally
        {
            foreach (var device in devices) await device.DisposeAsync();
        }
    }

    /// <summary>Asks for the hub's WebSocket as a browser does and expects the 429 problem in place of the upgrade.</summary>
    private static async Task AssertRefusedAsync(PeercallServer server, string accessToken)
    {
        using var http = server.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"hubs/signaling?access_token={Uri.EscapeDataString(accessToken)}");
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        // Headers first: were the upgrade accepted, its body would be the WebSocket and never end.
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.StatusCode != HttpStatusCode.SwitchingProtocols, "The connection over the cap was upgraded.");
        await response.Content.LoadIntoBufferAsync();
        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.TooManyRequests, ProblemCodes.TooManyConnections);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), "A refusal says why in words.");
    }

    /// <summary>The place frees when the closed connection's request has fully ended, a moment after it closes.</summary>
    private static async Task<TestDevice> ConnectWhenRoomAsync(TestUser user)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            try
            {
                return await user.ConnectAsync(reconnect: false);
            }
            catch (Exception e) when ((e is System.Net.WebSockets.WebSocketException or HttpRequestException) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
