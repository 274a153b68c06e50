using Peercall.Contracts.Calls;
using Peercall.Server.Tests.Infrastructure;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Server.Tests.Presence;

public sealed class PresenceTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    /// <summary>The issue asks for presence changes to reach everyone within a second.</summary>
    private static readonly TimeSpan WithinASecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Connecting_makes_a_user_online_for_everyone_within_a_second()
    {
        var watcher = await server.SignUpAsync("watcher");
        var user = await server.SignUpAsync("arriving");
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(user);

        await using var phone = await user.ConnectAsync();

        var change = await TestDevice.NextAsync(watching.Presence, p => p.UserId == user.Id, WithinASecond);
        Assert.Equal(PresenceState.Online, change.Presence);
        Assert.Null(change.LastSeenAt);
        Assert.Equal(PresenceState.Online, (await PresenceSeenByAsync(watcher, user)).Presence);
    }

    [Fact]
    public async Task A_second_device_counts_as_the_same_user()
    {
        var watcher = await server.SignUpAsync("watcher");
        var user = await server.SignUpAsync("twodevices");
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(user);
        await using var phone = await user.ConnectAsync();
        await watching.PresenceAsync(user.Id, PresenceState.Online);

        await using var laptop = await user.ConnectAsync();
        Assert.True(await TestDevice.NothingAsync(watching.Presence, p => p.UserId == user.Id));

        await phone.Connection.StopAsync();
        Assert.True(await TestDevice.NothingAsync(watching.Presence, p => p.UserId == user.Id));
        Assert.Equal(PresenceState.Online, (await PresenceSeenByAsync(watcher, user)).Presence);
    }

    [Fact]
    public async Task Closing_the_last_device_makes_a_user_offline_with_the_time_last_seen()
    {
        var watcher = await server.SignUpAsync("watcher");
        var user = await server.SignUpAsync("leaving");
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(user);
        await using var phone = await user.ConnectAsync();
        await using var laptop = await user.ConnectAsync();
        await watching.PresenceAsync(user.Id, PresenceState.Online);
        await server.AdvanceAsync(TimeSpan.FromMinutes(2));
        await phone.Connection.StopAsync();

        await laptop.Connection.StopAsync();

        var change = await TestDevice.NextAsync(watching.Presence, p => p.UserId == user.Id, WithinASecond);
        Assert.Equal(PresenceState.Offline, change.Presence);
        Assert.Equal(server.Time.GetUtcNow(), change.LastSeenAt!.Value, TimeSpan.FromSeconds(1));
        var contact = await PresenceSeenByAsync(watcher, user);
        Assert.Equal(PresenceState.Offline, contact.Presence);
        Assert.Equal(change.LastSeenAt, contact.LastSeenAt);
    }

    [Fact]
    public async Task Many_users_leaving_at_once_all_get_their_time_last_seen()
    {
        var watcher = await server.SignUpAsync("watcher");
        var tag = $"crowd{Guid.NewGuid():N}"[..12];
        var crowd = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => server.SignUpAsync(tag)));
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(crowd);
        var devices = await Task.WhenAll(crowd.Select(u => u.ConnectAsync()));
        await server.AdvanceAsync(TimeSpan.FromMinutes(5));

        await Task.WhenAll(devices.Select(d => d.Connection.StopAsync()));

        var offline = new Dictionary<Guid, DateTimeOffset>();
        while (offline.Count < crowd.Length)
        {
            var change = await TestDevice.NextAsync(watching.Presence, p => p.Presence == PresenceState.Offline);
            offline[change.UserId] = change.LastSeenAt!.Value;
        }
        var listed = (await watcher.Api.GetContactsAsync(tag, pageSize: 100)).Items;
        Assert.Equal(crowd.Length, listed.Count);
        Assert.All(listed, c => Assert.Equal(PresenceState.Offline, c.Presence));
        Assert.All(listed, c => Assert.Equal(offline[c.Id], c.LastSeenAt));
        foreach (var device in devices) await device.DisposeAsync();
    }

    [Fact]
    public async Task Coming_back_makes_a_user_online_again()
    {
        var watcher = await server.SignUpAsync("watcher");
        var user = await server.SignUpAsync("returning");
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(user);
        await (await user.ConnectAsync()).DisposeAsync();
        await watching.PresenceAsync(user.Id, PresenceState.Offline);

        await using var again = await user.ConnectAsync();
        await watching.PresenceAsync(user.Id, PresenceState.Online);
    }

    [Fact]
    public async Task An_accepted_call_makes_both_parties_in_call_and_hanging_up_makes_them_online()
    {
        var watcher = await server.SignUpAsync("watcher");
        var alice = await server.SignUpAsync("alice");
        var bob = await server.SignUpAsync("bob");
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(alice, bob);
        await using var alicePhone = await alice.ConnectAsync();
        await using var bobPhone = await bob.ConnectAsync();
        await watching.PresenceAsync(bob.Id, PresenceState.Online);

        var call = await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id));
        Assert.True(await TestDevice.NothingAsync(watching.Presence, p => p.UserId == alice.Id || p.UserId == bob.Id,
            TimeSpan.FromMilliseconds(200)), "Ringing does not change presence.");

        await bob.Api.AcceptCallAsync(call.Id);
        await watching.PresenceAsync(alice.Id, PresenceState.InCall);
        await watching.PresenceAsync(bob.Id, PresenceState.InCall);
        Assert.Equal(PresenceState.InCall, (await PresenceSeenByAsync(watcher, alice)).Presence);

        await bob.Api.EndCallAsync(call.Id);
        await watching.PresenceAsync(alice.Id, PresenceState.Online);
        await watching.PresenceAsync(bob.Id, PresenceState.Online);
        Assert.Equal(PresenceState.Online, (await PresenceSeenByAsync(watcher, bob)).Presence);
    }

    [Fact]
    public async Task A_party_in_call_who_closes_their_device_becomes_offline_and_the_other_online()
    {
        var watcher = await server.SignUpAsync("watcher");
        var alice = await server.SignUpAsync("alice");
        var bob = await server.SignUpAsync("bob");
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(alice, bob);
        await using var alicePhone = await alice.ConnectAsync();
        var bobPhone = await bob.ConnectAsync();
        var call = await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id));
        await bob.Api.AcceptCallAsync(call.Id);
        await watching.PresenceAsync(bob.Id, PresenceState.InCall);

        await bobPhone.DisposeAsync();

        await watching.PresenceAsync(bob.Id, PresenceState.Offline);
        await watching.PresenceAsync(alice.Id, PresenceState.Online);
        Assert.Equal(PresenceState.Offline, (await PresenceSeenByAsync(watcher, bob)).Presence);
    }

    private static async Task<Contracts.Contacts.Contact> PresenceSeenByAsync(TestUser watcher, TestUser user) =>
        Assert.Single((await watcher.Api.GetContactsAsync(user.Username)).Items, c => c.Id == user.Id);
}
