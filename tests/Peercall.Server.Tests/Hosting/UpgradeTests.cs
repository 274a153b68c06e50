using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Peercall.Contracts.Calls;
using Peercall.Server.Calls;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Hosting;

/// <summary>A server upgraded over a database of an earlier version keeps what it stored.</summary>
public sealed class UpgradeTests
{
    [Fact]
    public async Task Calls_stored_before_group_calls_keep_both_parties_their_states_and_the_unseen_missed_call()
    {
        var data = Directory.CreateDirectory(PeercallServer.NewDataDirectory()).FullName;
        try
        {
            var (alice, bob) = (Guid.CreateVersion7(), Guid.CreateVersion7());
            var start = new DateTime(2026, 11, 30, 9, 0, 0, DateTimeKind.Utc);
            var (talked, missed, declined) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
            await using (var db = TestDatabase.NewContext(data))
            {
                // The schema as the first release left it, with rows as it wrote them.
                var first = db.Database.GetMigrations().First();
                await db.GetService<IMigrator>().MigrateAsync(first);
                await using var connection = TestDatabase.Open(data);
                foreach (var (id, name) in new[] { (alice, "alice"), (bob, "bob") })
                    await ExecuteAsync(connection, """
                        INSERT INTO "AspNetUsers" ("Id", "DisplayName", "CreatedAt", "UserName", "NormalizedUserName",
                            "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
                        VALUES (@id, @name, @at, @name, @name, @no, @no, @no, @no, 0)
                        """, ("@id", TestDatabase.Stored(id)), ("@name", name), ("@at", start), ("@no", false));
                await InsertCallAsync(connection, talked, alice, bob, "Ended", "HungUp", start, start.AddSeconds(5), start.AddMinutes(3), seen: true);
                await InsertCallAsync(connection, missed, bob, alice, "Missed", "NoAnswer", start.AddHours(1), null, start.AddHours(1).AddSeconds(45), seen: false);
                await InsertCallAsync(connection, declined, alice, bob, "Declined", "Declined", start.AddHours(2), null, start.AddHours(2).AddSeconds(3), seen: true);
            }

            await using var server = new PeercallServer(null, data);
            var aliceHistory = await server.WithScopedAsync<CallHistory, Contracts.Contacts.Page<CallHistoryEntry>>(h => h.PageAsync(alice, 1, 10));
            var bobMissed = await server.WithScopedAsync<CallHistory, MissedCallsSummary>(h => h.MissedAsync(bob));
            var aliceMissed = await server.WithScopedAsync<CallHistory, MissedCallsSummary>(h => h.MissedAsync(alice));

            Assert.Equal([declined, missed, talked], aliceHistory.Items.Select(e => e.CallId));
            var call = aliceHistory.Items.Single(e => e.CallId == talked);
            Assert.Equal(175, call.DurationSeconds);
            Assert.Equal([(alice, ParticipantState.Left), (bob, ParticipantState.Left)],
                call.Participants.Select(p => (p.Party.Id, p.State)));
            Assert.Equal(start.AddSeconds(5), call.Participants[1].JoinedAt?.UtcDateTime);
            Assert.Equal([(bob, ParticipantState.Left), (alice, ParticipantState.Missed)],
                aliceHistory.Items.Single(e => e.CallId == missed).Participants.Select(p => (p.Party.Id, p.State)));
            Assert.Equal(ParticipantState.Declined, aliceHistory.Items.Single(e => e.CallId == declined).Participants[1].State);
            Assert.False(aliceHistory.Items.Single(e => e.CallId == missed).Seen);
            Assert.Equal(1, aliceMissed.UnseenCount);
            Assert.Equal(0, bobMissed.UnseenCount);
        }
        finally
        {
            PeercallServer.DeleteDataDirectory(data);
        }
    }

    private static Task InsertCallAsync(System.Data.Common.DbConnection connection, Guid id, Guid caller, Guid callee,
        string state, string reason, DateTime created, DateTime? answered, DateTime ended, bool seen) =>
        ExecuteAsync(connection, """
            INSERT INTO "Calls" ("Id", "CallerId", "CalleeId", "Media", "State", "Reason", "CreatedAt", "AnsweredAt", "EndedAt",
                "CallerConnectionId", "CalleeConnectionId", "CalleeHasSeen")
            VALUES (@id, @caller, @callee, 'Audio', @state, @reason, @created, @answered, @ended, 'c1', 'c2', @seen)
            """, ("@id", TestDatabase.Stored(id)), ("@caller", TestDatabase.Stored(caller)), ("@callee", TestDatabase.Stored(callee)),
            ("@state", state), ("@reason", reason), ("@created", created), ("@answered", (object?)answered ?? DBNull.Value),
            ("@ended", ended), ("@seen", seen));

    private static async Task ExecuteAsync(System.Data.Common.DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.AddParameter(name, value);
        await command.ExecuteNonQueryAsync();
    }
}
