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
        var mine = db.Calls.AsNoTracking().Where(c => c.CallerId == userId || c.CalleeId == userId);
        var total = await mine.CountAsync();
        var rows = await mine
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
            .Skip((int)Math.Min((long)(page - 1) * pageSize, int.MaxValue)).Take(pageSize)
            .Join(db.Users, c => c.CallerId == userId ? c.CalleeId : c.CallerId, u => u.Id, (c, other) => new { c, other })
            .ToListAsync();
        var entries = rows
            .OrderByDescending(r => r.c.CreatedAt).ThenByDescending(r => r.c.Id)
            .Select(r => new CallHistoryEntry(
                r.c.Id,
                CallService.Party(r.other),
                r.c.CallerId == userId ? CallDirection.Outgoing : CallDirection.Incoming,
                r.c.Media,
                r.c.State,
                r.c.Reason,
                Utc(r.c.CreatedAt),
                r.c.AnsweredAt is { } a ? Utc(a) : null,
                r.c.EndedAt is { } e ? Utc(e) : null,
                r.c.AnsweredAt is { } start && r.c.EndedAt is { } end ? (end - start).TotalSeconds : null,
                r.c.CallerId == userId || r.c.CalleeHasSeen))
            .ToList();
        return new Page<CallHistoryEntry>(entries, page, pageSize, total);
    }

    public async Task<MissedCallsSummary> MissedAsync(Guid userId) =>
        new(await Unseen(userId).CountAsync());

    public async Task<MissedCallsSummary> MarkSeenAsync(Guid userId)
    {
        await Unseen(userId).ExecuteUpdateAsync(s => s.SetProperty(c => c.CalleeHasSeen, true));
        return new MissedCallsSummary(0);
    }

    private IQueryable<CallRequest> Unseen(Guid userId) =>
        db.Calls.Where(c => c.CalleeId == userId && !c.CalleeHasSeen);

    private static DateTimeOffset Utc(DateTime value) => new(value, TimeSpan.Zero);
}
