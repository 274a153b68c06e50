using Microsoft.Extensions.DependencyInjection;
using Peercall.Contracts;
using Peercall.Server.Presence;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;
using Peercall.Server.Tests.Infrastructure;
using PresenceState = Peercall.Contracts.Contacts.Presence;

namespace Peercall.Server.Tests.Presence;

/// <summary>Presence by subscription: a connection hears only about the users it watches.</summary>
public sealed class WatchingTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Fact]
    public async Task Watching_answers_each_users_presence_now()
    {
        var watcher = await server.SignUpAsync("watcher");
        var online = await server.SignUpAsync("online");
        var away = await server.SignUpAsync("away");
        var alice = await server.SignUpAsync("alice");
        var bob = await server.SignUpAsync("bob");
        await using var onlinePhone = await online.ConnectAsync();
        await using var alicePhone = await alice.ConnectAsync();
        await using var bobPhone = await bob.ConnectAsync();
        var call = await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id));
        await bob.Api.AcceptCallAsync(call.Id);
        await using var watching = await watcher.ConnectAsync();

        var now = await watching.WatchAsync(online, away, alice, online);

        Assert.Equal([new(online.Id, PresenceState.Online), new(away.Id, PresenceState.Offline),
            new(alice.Id, PresenceState.InCall)], now);
    }

    [Fact]
    public async Task Changes_of_users_not_watched_are_not_sent()
    {
        var watcher = await server.SignUpAsync("watcher");
        var watched = await server.SignUpAsync("watched");
        var other = await server.SignUpAsync("other");
        await using var watching = await watcher.ConnectAsync();
        await using var notWatching = await (await server.SignUpAsync("bystander")).ConnectAsync();
        await watching.WatchAsync(watched);

        await using var otherPhone = await other.ConnectAsync();
        await using var watchedPhone = await watched.ConnectAsync();

        await watching.PresenceAsync(watched.Id, PresenceState.Online);
        Assert.True(await TestDevice.NothingAsync(watching.Presence, p => p.UserId == other.Id));
        Assert.True(await TestDevice.NothingAsync(notWatching.Presence));
    }

    [Fact]
    public async Task A_new_watch_replaces_the_one_before()
    {
        var watcher = await server.SignUpAsync("watcher");
        var first = await server.SignUpAsync("first");
        var second = await server.SignUpAsync("second");
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(first);

        await watching.WatchAsync(second);
        await using var firstPhone = await first.ConnectAsync();
        await using var secondPhone = await second.ConnectAsync();

        await watching.PresenceAsync(second.Id, PresenceState.Online);
        Assert.True(await TestDevice.NothingAsync(watching.Presence, p => p.UserId == first.Id));
        await watching.WatchAsync();
        await secondPhone.Connection.StopAsync();
        Assert.True(await TestDevice.NothingAsync(watching.Presence, p => p.UserId == second.Id));
    }

    [Fact]
    public async Task Watching_too_many_or_nothing_is_refused_and_keeps_the_watch_before()
    {
        var watcher = await server.SignUpAsync("watcher");
        var watched = await server.SignUpAsync("watched");
        await using var watching = await watcher.ConnectAsync();
        await watching.WatchAsync(watched);

        var tooMany = Enumerable.Range(0, PresenceLimits.MaxWatched + 1).Select(_ => Guid.NewGuid()).ToList();
        var refusal = await Refusals.HubAsync(() => watching.Connection.WatchPresence(tooMany), ProblemCodes.BadRequest);
        Assert.Contains($"at most {PresenceLimits.MaxWatched}", refusal.Message);
        await Refusals.HubAsync(() => watching.Connection.WatchPresence(null!), ProblemCodes.BadRequest);

        await using var watchedPhone = await watched.ConnectAsync();
        await watching.PresenceAsync(watched.Id, PresenceState.Online);
    }

    [Fact]
    public async Task When_one_device_closes_the_users_other_devices_keep_their_watch()
    {
        var watcher = await server.SignUpAsync("watcher");
        var watched = await server.SignUpAsync("watched");
        await using var phone = await watcher.ConnectAsync();
        await using var laptop = await watcher.ConnectAsync();
        await phone.WatchAsync(watched);
        await laptop.WatchAsync(watched);

        await phone.Connection.StopAsync();
        await using var watchedPhone = await watched.ConnectAsync();

        await laptop.PresenceAsync(watched.Id, PresenceState.Online);
    }

    [Fact]
    public async Task A_new_account_is_announced_to_everyone_connected()
    {
        var someone = await server.SignUpAsync("someone");
        await using var device = await someone.ConnectAsync();
        var added = new TaskCompletionSource<Contact>(TaskCreationOptions.RunContinuationsAsynchronously);
        device.Connection.ContactAdded += c =>
        {
            added.TrySetResult(c);
            return Task.CompletedTask;
        };

        var newcomer = await server.SignUpAsync("newcomer");

        var contact = await added.Task.WaitAsync(TestDevice.EventTimeout);
        Assert.Equal(new Contact(newcomer.Id, newcomer.Username, newcomer.Profile.DisplayName, PresenceState.Offline, null), contact);
    }
}
