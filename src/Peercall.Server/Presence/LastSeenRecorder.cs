using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Peercall.Server.Data;

namespace Peercall.Server.Presence;

/// <summary>
/// Writes when users were last seen. Writes that come together (a server stopping with thousands of connections,
/// a network dropping a whole floor) go to the database in one transaction, instead of thousands of competing
/// ones that SQLite would take one at a time with its busy-wait; a lone write goes at once.
/// </summary>
public sealed class LastSeenRecorder
{
    private const int MaxBatch = 2_000;

    private readonly IServiceScopeFactory _scopes;
    private readonly Channel<Entry> _pending = Channel.CreateUnbounded<Entry>(new() { SingleReader = true });

    public LastSeenRecorder(IServiceScopeFactory scopes)
    {
        _scopes = scopes;
        _ = Task.Run(WriteAsync);
    }

    /// <summary>Completes once the time is stored, so a contact list read afterwards shows it.</summary>
    public Task RecordAsync(Guid userId, DateTime at)
    {
        var entry = new Entry(userId, at, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending.Writer.TryWrite(entry);
        return entry.Stored.Task;
    }

    private async Task WriteAsync()
    {
        var batch = new List<Entry>();
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var entry)) batch.Add(entry);
            try
            {
                await StoreAsync(batch);
                foreach (var entry in batch) entry.Stored.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var entry in batch) entry.Stored.TrySetException(e);
            }
            batch.Clear();
        }
    }

    private async Task StoreAsync(List<Entry> batch)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PeercallDb>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        foreach (var (userId, at) in batch.GroupBy(e => e.UserId).Select(g => (g.Key, g.Max(e => e.At))))
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastSeenAt, at));
        await transaction.CommitAsync();
    }

    private sealed record Entry(Guid UserId, DateTime At, TaskCompletionSource Stored);
}
