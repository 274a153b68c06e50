using System.Net;
using System.Net.Http.Json;
using Peercall.Contracts;
using PresenceState = Peercall.Contracts.Contacts.Presence;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Signaling;

public sealed class ConnectionCapacityTests
{
    [Fact]
    public async Task A_full_server_refuses_new_realtime_connections_with_a_reason_and_keeps_serving_the_open_ones()
    {
        await using var server = new PeercallServer(new() { ["Peercall:Signaling:MaxConnections"] = "2" });
        var alice = await server.SignUpAsync("alice");
        var bob = await server.SignUpAsync("bob");
        await using var aliceDevice = await alice.ConnectAsync();
        await using var bobDevice = await bob.ConnectAsync();
        await bobDevice.WatchAsync(alice);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => bob.ConnectAsync());
        Assert.Contains("503", refused.ToString());

        using var http = server.NewHttpClient();
        var token = await bob.Api.GetAccessTokenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"hubs/signaling?access_token={token}");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Problem>();
        Assert.Equal(ProblemCodes.ServerFull, problem!.Code);
        Assert.NotNull(response.Headers.RetryAfter);

        // The connections already open still work both ways.
        await aliceDevice.Connection.StopAsync();
        var offline = await bobDevice.PresenceAsync(alice.Id, PresenceState.Offline);
        Assert.NotNull(offline.LastSeenAt);
        // The slot frees when the closed connection's request has fully ended, a moment after the presence change.
        await using var aliceAgain = await ConnectWhenRoomAsync(alice);
        await bobDevice.PresenceAsync(alice.Id, PresenceState.Online);
    }

    private static async Task<TestDevice> ConnectWhenRoomAsync(TestUser user)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            try
            {
                return await user.ConnectAsync();
            }
            catch (System.Net.WebSockets.WebSocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
