using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Peercall.Contracts;
using Peercall.Server.Hosting;
using Peercall.Server.Presence;
using Peercall.Server.Signaling;
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

public sealed class StoppingServerTests
{
    [Fact]
    public async Task A_stopping_server_refuses_new_realtime_connections_with_a_reason()
    {
        using var lifetime = new StoppingLifetime();
        var capacity = new ConnectionCapacity(Options.Create(new SignalingOptions()), OpenFileBudget.Of(null),
            new NodePresenceDirectory(new PresenceTracker()), lifetime,
            NullLogger<ConnectionCapacity>.Instance, TimeProvider.System);
        using var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var user = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(ClaimsPrincipalExtensions.SubjectClaim, Guid.NewGuid().ToString())], "test"));
        var http = new DefaultHttpContext { RequestServices = services, User = user };
        http.Response.Body = new MemoryStream();
        var admitted = 0;

        await capacity.RefuseWhenFullAsync(http, () => Task.FromResult(++admitted));
        Assert.Equal(1, admitted);

        lifetime.Stop();
        http = new DefaultHttpContext { RequestServices = services, User = user };
        http.Response.Body = new MemoryStream();
        await capacity.RefuseWhenFullAsync(http, () => Task.FromResult(++admitted));

        Assert.Equal(1, admitted);
        Assert.Equal(503, http.Response.StatusCode);
        Assert.Equal("2", http.Response.Headers.RetryAfter.ToString());
        http.Response.Body.Position = 0;
        var problem = await System.Text.Json.JsonSerializer.DeserializeAsync<System.Text.Json.JsonElement>(http.Response.Body);
        Assert.Equal(ProblemCodes.ServerStopping, problem.GetProperty("code").GetString());
    }

    private sealed class StoppingLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => _stopping.Token;
        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void Stop() => _stopping.Cancel();
        public void StopApplication() => Stop();
        public void Dispose() => _stopping.Dispose();
    }
}
