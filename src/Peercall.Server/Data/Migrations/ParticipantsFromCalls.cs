namespace Peercall.Server.Data.Migrations;

/// <summary>The GroupCalls migration's data step, the same SQL on SQLite and PostgreSQL: each call stored before
/// it gets its two participants, the caller and the callee, in the states the call's own state implies.</summary>
internal static class ParticipantsFromCalls
{
    public const string Sql = """
        INSERT INTO "CallParticipants" ("CallId", "UserId", "Seat", "State", "Reason", "InvitedBy", "InvitedAt", "JoinedAt", "LeftAt", "ConnectionId", "HasSeen")
        SELECT "Id", "CallerId", 0,
               CASE WHEN "State" IN ('Ringing', 'Accepted') THEN 'Joined' ELSE 'Left' END,
               "Reason", NULL, "CreatedAt", "CreatedAt", "EndedAt", "CallerConnectionId", TRUE
        FROM "Calls";
        INSERT INTO "CallParticipants" ("CallId", "UserId", "Seat", "State", "Reason", "InvitedBy", "InvitedAt", "JoinedAt", "LeftAt", "ConnectionId", "HasSeen")
        SELECT "Id", "CalleeId", 1,
               CASE "State" WHEN 'Ringing' THEN 'Ringing' WHEN 'Accepted' THEN 'Joined' WHEN 'Ended' THEN 'Left'
                            WHEN 'Declined' THEN 'Declined' WHEN 'Busy' THEN 'Busy' ELSE 'Missed' END,
               "Reason", "CallerId", "CreatedAt", "AnsweredAt", "EndedAt", "CalleeConnectionId", "CalleeHasSeen"
        FROM "Calls";
        """;
}
