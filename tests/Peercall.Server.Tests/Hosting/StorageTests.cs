using Microsoft.EntityFrameworkCore;
using Peercall.Contracts.Accounts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Server.Accounts;
using Peercall.Server.Data;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Hosting;

public sealed class StorageTests
{
    [SqliteOnlyFact]
    public async Task The_database_lives_in_the_configured_data_folder_in_wal_mode_with_migrations_applied()
    {
        await using var server = new PeercallServer();
        Assert.True(File.Exists(Path.Combine(server.DataDirectory, DataSetup.DatabaseFile)));

        await using var db = server.OpenDatabase();
        Assert.Equal("wal", Scalar(db, "PRAGMA journal_mode"));
        var migrations = await server.WithScopedAsync<PeercallDb, IEnumerable<string>>(
            context => Task.FromResult(context.Database.GetMigrations()));
        Assert.NotEmpty(migrations);
        foreach (var migration in migrations)
            Assert.Equal(migration, Scalar(db, $"SELECT MigrationId FROM __EFMigrationsHistory WHERE MigrationId = '{migration}'"));
        foreach (var table in new[] { "AspNetUsers", "SignInSessions", "RefreshTokens", "Calls" })
            Assert.Equal(table, Scalar(db, $"SELECT name FROM sqlite_master WHERE type = 'table' AND name = '{table}'"));
    }

    [Fact]
    public async Task A_restart_loses_nothing_users_sessions_and_history_are_all_still_there()
    {
        var folder = PeercallServer.NewDataDirectory();
        try
        {
            TestUser alice, bob;
            Guid callId;
            await using (var first = new PeercallServer(null, folder))
            {
                alice = await first.SignUpAsync("alice");
                bob = await first.SignUpAsync("bob");
                await using var alicePhone = await alice.ConnectAsync();
                await using var bobPhone = await bob.ConnectAsync();
                callId = (await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id))).Id;
                await bob.Api.AcceptCallAsync(callId);
                await first.AdvanceAsync(TimeSpan.FromSeconds(20));
                await alice.Api.EndCallAsync(callId);
            }

            await using var second = new PeercallServer(null, folder);
            var api = alice.On(second).Api;
            await api.RefreshAsync();
            Assert.Equal(alice.Profile, await api.GetMeAsync());

            var entry = Assert.Single((await api.GetCallHistoryAsync()).Items);
            Assert.Equal(callId, entry.CallId);
            Assert.Equal(CallState.Ended, entry.State);
            Assert.Equal(20, entry.DurationSeconds!.Value, precision: 0);

            var bobAgain = await second.NewApi().LoginAsync(new LoginRequest(bob.Username, bob.Password));
            Assert.Equal(bob.Id, bobAgain.User.Id);
        }
        finally
        {
            PeercallServer.DeleteDataDirectory(folder);
        }
    }

    [Fact]
    public async Task After_a_crash_ringing_calls_are_missed_and_accepted_calls_wait_to_be_resumed()
    {
        await using var crashed = new PeercallServer();
        var alice = await crashed.SignUpAsync("alice");
        var bob = await crashed.SignUpAsync("bob");
        var carol = await crashed.SignUpAsync("carol");
        var dave = await crashed.SignUpAsync("dave");
        var erin = await crashed.SignUpAsync("erin");
        var frank = await crashed.SignUpAsync("frank");
        await using var alicePhone = await alice.ConnectAsync();
        await using var bobPhone = await bob.ConnectAsync();
        await using var carolPhone = await carol.ConnectAsync();
        await using var davePhone = await dave.ConnectAsync();
        await using var erinPhone = await erin.ConnectAsync();
        await using var frankPhone = await frank.ConnectAsync();
        var resumed = await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id));
        await bob.Api.AcceptCallAsync(resumed.Id);
        var abandoned = await carol.Api.PlaceCallAsync(new PlaceCallRequest(dave.Id));
        await dave.Api.AcceptCallAsync(abandoned.Id);
        var ringing = await erin.Api.PlaceCallAsync(new PlaceCallRequest(frank.Id));

        // A consistent copy of the database at this moment is what a crash leaves behind.
        var folder = PeercallServer.NewDataDirectory();
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(crashed.DataDirectory, SigningKey.FileName), Path.Combine(folder, SigningKey.FileName));
        await TestDatabase.CopyAsync(crashed.DataDirectory, folder);

        try
        {
            await using var restarted = new PeercallServer(null, folder);
            TestUser On(TestUser user) => user.On(restarted);
            var ringingNow = await On(frank).Api.GetCallAsync(ringing.Id);
            Assert.Equal(CallState.Missed, ringingNow.State);
            Assert.Equal(CallReason.ServerRestarted, ringingNow.Reason);
            Assert.Equal(CallState.Accepted, (await On(alice).Api.GetCallAsync(resumed.Id)).State);

            await using var aliceAgain = await On(alice).ConnectAsync();
            await using var bobAgain = await On(bob).ConnectAsync();
            await using var daveAgain = await On(dave).ConnectAsync();
            await aliceAgain.Connection.ResumeCall(resumed.Id);
            await bobAgain.Connection.ResumeCall(resumed.Id);
            await aliceAgain.Connection.SendSignal(new Signal(resumed.Id, SignalKind.Offer, "v=0 after restart"));
            Assert.Equal("v=0 after restart", (await bobAgain.SignalAsync()).Payload);

            await restarted.AdvanceAsync(TimeSpan.FromSeconds(16));
            await daveAgain.StateAsync(abandoned.Id, CallState.Ended);
            var abandonedNow = await On(dave).Api.GetCallAsync(abandoned.Id);
            Assert.Equal(CallState.Ended, abandonedNow.State);
            Assert.Equal(CallReason.ConnectionLost, abandonedNow.Reason);
            Assert.Equal(CallState.Accepted, (await On(alice).Api.GetCallAsync(resumed.Id)).State);
        }
        finally
        {
            PeercallServer.DeleteDataDirectory(folder);
        }
    }

    private static string? Scalar(System.Data.Common.DbConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()?.ToString();
    }
}
