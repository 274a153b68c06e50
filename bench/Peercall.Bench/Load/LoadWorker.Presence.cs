using System.Text;

namespace Peercall.Bench.Load;

public sealed partial class LoadWorker
{
    private PresenceWatch? _watch;

    /// <summary>Arms a watch: from now on, each idle connection notes when it first sees the subject's presence
    /// change to the awaited value.</summary>
    private object Watch(WatchArgs args)
    {
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
