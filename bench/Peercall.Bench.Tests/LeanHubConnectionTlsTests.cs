using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Peercall.Bench.Load;
using Peercall.Contracts.Contacts;

namespace Peercall.Bench.Tests;

/// <summary>The load client over wss (the benchmark's --tls): against the real server listening for HTTPS with
/// the certificate it made from its own CA, trusting that CA and nothing else.</summary>
public sealed class LeanHubConnectionTlsTests : IAsyncLifetime
{
    private readonly TestServer _server = new(tls: true);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Over_wss_the_lean_client_invokes_and_hears_events()
    {
        var alice = await _server.SignUpAsync("alice");
        var bob = await _server.SignUpAsync("bob");
        var events = new PresenceEvents();
        var lean = await LeanHubConnection.ConnectAsync(events, IPAddress.Parse("127.0.0.2"), _server.Endpoint,
            alice.AccessToken, slot: 0, CancellationToken.None, _server.Tls);

        var watched = (await lean.InvokeAsync("WatchPresence", new[] { bob.Id })).Deserialize<UserPresence[]>(HubJson.Options);
        Assert.Equal([new UserPresence(bob.Id, Presence.Offline)], watched!);

        var bobDevice = await LeanHubConnection.ConnectAsync(new PresenceEvents(), IPAddress.Parse("127.0.0.3"), _server.Endpoint,
            bob.AccessToken, slot: 1, CancellationToken.None, _server.Tls);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (events.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(1, events.Count);
        lean.Close();
        bobDevice.Close();
    }

    [Fact]
    public async Task A_certificate_authority_the_client_was_not_given_is_refused()
    {
        using var key = ECDsa.Create();
        var request = new CertificateRequest("CN=Someone else", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var stranger = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var alice = await _server.SignUpAsync("alice");

        await Assert.ThrowsAsync<AuthenticationException>(() => LeanHubConnection.ConnectAsync(new PresenceEvents(),
            IPAddress.Parse("127.0.0.2"), _server.Endpoint, alice.AccessToken, 0, CancellationToken.None, new ServerTls(stranger)));
    }

    private sealed class PresenceEvents : IConnectionListener
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void OnMessage(LoadConnection connection, ReadOnlySpan<byte> message)
        {
            if (message.IndexOf("\"PresenceChanged\""u8) >= 0) Interlocked.Increment(ref _count);
        }

        public void OnClosed(LoadConnection connection, string reason)
        {
        }
    }
}
