using Microsoft.EntityFrameworkCore;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;
using Peercall.Server.Data;

namespace Peercall.Server.Calls;

/// <summary>A user's calls as they see them, and their missed calls not yet seen.</summary>
public sealed class CallHistory(PeercallDb db)
{
    public async Task<Page<CallHistoryEntry>> PageAsync(Guid userId, int page, int pageSize)
    {
        var mine = db.Calls.AsNoTracking().Where(c => c.Participants.Any(p => p.UserId == userId));
        var total = await mine.CountAsync();
        var calls = await mine
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
            .Skip((int)Math.Min((long)(page - 1) * pageSize, int.MaxValue)).Take(pageSize)
            .Include(c => c.Participants)
            .ToListAsync();
        var userIds = calls.SelectMany(c => c.Participants.Select(p => p.UserId)).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id);
        var entries = calls
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
            .Select(c => new CallHistoryEntry(
                c.Id,
                CallService.Party(users[c.CallerId == userId ? c.CalleeId : c.CallerId]),
                c.CallerId == userId ? CallDirection.Outgoing : CallDirection.Incoming,
                c.Media,
                c.State,
                c.Reason,
                Utc(c.CreatedAt),
                c.AnsweredAt is { } a ? Utc(a) : null,
                c.EndedAt is { } e ? Utc(e) : null,
                c.AnsweredAt is { } start && c.EndedAt is { } end ? (end - start).TotalSeconds : null,
                c.Participants.Single(p => p.UserId == userId).HasSeen,
                CallService.Participants(c.Participants, users)))
            .ToList();
        return new Page<CallHistoryEntry>(entries, page, pageSize, total);
    }

    public async Task<MissedCallsSummary> MissedAsync(Guid userId) =>
        new(await Unseen(userId).CountAsync());

    public async Task<MissedCallsSummary> MarkSeenAsync(Guid userId)
    {
        await Unseen(userId).ExecuteUpdateAsync(s => s.SetProperty(p => p.HasSeen, true));
        return new MissedCallsSummary(0);
    }

    private IQueryable<CallMember> Unseen(Guid userId) =>
        db.CallParticipants.Where(p => p.UserId == userId && !p.HasSeen);

    private static DateTimeOffset Utc(DateTime value) => new(value, TimeSpan.Zero);
}
