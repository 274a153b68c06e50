using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Peercall.Server.Hosting;

/// <summary>
/// Gives memory back to the system once a burst of work is over. A ramp of thousands of connections, a reconnect
/// storm or a busy spell of calls makes the garbage collector commit memory that it keeps until its next
/// collections; a server holding thousands of idle connections allocates so little that those may not come for
/// many minutes, so the idle server stayed at its peak. One compacting collection when the server has gone quiet
/// returns what the burst left (the same idea as V8's memory reducer). It pauses the process once, at a moment
/// when nothing is waiting (bench/README.md has the figures).
/// </summary>
public sealed class IdleMemoryTrim(IOptions<MemoryTrimOptions> options, ActivityMeter activity, ILogger<IdleMemoryTrim> logger)
    : BackgroundService
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.TrimWhenIdle) return;
        var policy = new IdleTrimPolicy(options.Value.QuietFor);
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(SampleEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var committedBefore = GC.GetGCMemoryInfo().TotalCommittedBytes;
            if (!policy.ShouldTrim(clock.Elapsed, GC.GetTotalAllocatedBytes(), activity.Messages, committedBefore)) continue;
            var pause = Stopwatch.StartNew();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            pause.Stop();
            var after = GC.GetGCMemoryInfo();
            policy.Trimmed(after.TotalCommittedBytes);
            logger.LogInformation("Quiet again: the heap gave back {Released:N0} MB ({Committed:N0} MB committed, {Live:N0} MB live) in a {Pause:N0} ms pause",
                (committedBefore - after.TotalCommittedBytes) / (1024 * 1024), after.TotalCommittedBytes / (1024 * 1024),
                after.HeapSizeBytes / (1024 * 1024), pause.Elapsed.TotalMilliseconds);
        }
    }
}
