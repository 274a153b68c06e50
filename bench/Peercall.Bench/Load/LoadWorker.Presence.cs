using System.Text;

namespace Peercall.Bench.Load;

public sealed partial class LoadWorker
{
    /// <summary>How many users each idle connection watches: about a screenful of contacts.</summary>
    private const int WatchedContacts = 20;

    private PresenceWatch? _watch;
    private Guid? _subject;
    private readonly HashSet<int> _watchingSubject = [];

    /// <summary>The users idle connection <paramref name="idle"/> watches: the owners of the next connections.</summary>
    private Guid[] ContactsOf(int idle) => [.. Enumerable.Range(1, WatchedContacts)
        .Select(k => _users[_init.IdleUserOffset + (idle + k) % _init.IdleUserCount].Id)];

    /// <summary>Arms a watch: from now on, each idle connection notes when it first sees the subject's presence
    /// change to the awaited value. On Peercall the connections first add the subject to the users they watch.</summary>
    private async Task<object> WatchAsync(WatchArgs args)
    {
        if (_subject != args.UserId)
        {
            _subject = args.UserId;
            _watchingSubject.Clear();
        }
        var joining = _connections.Where(c => c.Key < PairSlots && !_watchingSubject.Contains(c.Key))
            .Select(c => c.Value).OfType<LeanHubConnection>().ToList();
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(joining.Select(async connection =>
        {
            await gate.WaitAsync();
            try
            {
                await connection.InvokeAsync("WatchPresence", (Guid[])[.. ContactsOf(connection.Slot), args.UserId])
                    .WaitAsync(TimeSpan.FromSeconds(30));
            }
            finally
            {
                gate.Release();
            }
        }));
        _watchingSubject.UnionWith(joining.Select(c => c.Slot));
        var watch = new PresenceWatch(args.Sequence, Encoding.UTF8.GetBytes(args.UserId.ToString()),
            Encoding.UTF8.GetBytes($"\"presence\":\"{args.Presence}\""), IdleOpen);
        _watch = watch;
        if (watch.Expected == 0) watch.Done.TrySetResult();
        return new { expected = watch.Expected };
    }

    private async Task<WatchResult> WatchWaitAsync(WatchWaitArgs args)
    {
        if (_watch is not { } watch || watch.Sequence != args.Sequence)
            throw new InvalidOperationException($"Watch {args.Sequence} is not armed.");
        await Task.WhenAny(watch.Done.Task, Task.Delay(TimeSpan.FromSeconds(args.TimeoutSeconds)));
        _watch = null;
        lock (watch) return new WatchResult(watch.Expected, watch.Seen, watch.LastTs);
    }

    private static void SeePresence(PresenceWatch watch, LoadConnection connection, ReadOnlySpan<byte> message)
    {
        if (connection.SeenWatch == watch.Sequence
            || message.IndexOf("\"PresenceChanged\""u8) < 0
            || message.IndexOf(watch.Subject) < 0
            || message.IndexOf(watch.Presence) < 0)
            return;
        connection.SeenWatch = watch.Sequence;
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        lock (watch)
        {
            watch.Seen++;
            watch.LastTs = Math.Max(watch.LastTs, now);
            if (watch.Seen >= watch.Expected) watch.Done.TrySetResult();
        }
    }

    private sealed class PresenceWatch(int sequence, byte[] subject, byte[] presence, int expected)
    {
        public int Sequence { get; } = sequence;
        public byte[] Subject { get; } = subject;
        public byte[] Presence { get; } = presence;
        public int Expected { get; } = expected;
        public int Seen { get; set; }
        public long LastTs { get; set; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
