using System.Diagnostics;
using Peercall.Server.Tests.Infrastructure;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Server.Tests.Presence;

/// <summary>
/// The server's client timeout runs on the real clock, so this one test waits for real: about 30 seconds. It runs
/// in a class of its own, beside the others.
/// </summary>
public sealed class KeepAliveTests
{
    [Fact]
    public async Task A_device_that_vanishes_without_closing_goes_offline_within_30_to_45_seconds()
    {
        await using var server = new PeercallServer();
        var watcher = await server.SignUpAsync("watcher");
        var user = await server.SignUpAsync("vanishing");
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(user);

        // A device that completes the handshake, pings once as every client does, and then says nothing more, as
        // one whose network dropped.
        using var silent = await RawHubSocket.ConnectAsync(server, user);
        await RawHubSocket.SendAsync(silent, RawHubSocket.Ping);
        await watching.PresenceAsync(user.Id, PresenceState.Online);
        var silentSince = Stopwatch.StartNew();

        var offline = await TestDevice.NextAsync(watching.Presence,
            p => p.UserId == user.Id && p.Presence == PresenceState.Offline, TimeSpan.FromSeconds(50));

        // Dropped at the first visit of its slice (every 15 s) after 30 s of silence: 30 to 45 s, plus the time the
        // offline event takes to reach the watcher on a busy machine.
        Assert.InRange(silentSince.Elapsed, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(47));
        Assert.NotNull(offline.LastSeenAt);
    }
}
