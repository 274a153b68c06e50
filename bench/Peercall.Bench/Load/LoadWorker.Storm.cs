using System.Collections.Concurrent;
using System.Diagnostics;

namespace Peercall.Bench.Load;

public sealed partial class LoadWorker
{
    /// <summary>The delays of <c>Peercall.Client.BackoffRetryPolicy</c>, which real clients reconnect with.</summary>
    private static readonly TimeSpan[] ReconnectSteps = [TimeSpan.Zero, TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)];

    private ReconnectStorm? _storm;
    private readonly ConcurrentBag<LoadConnection> _probes = [];

    /// <summary>From now on, an idle connection the server drops reconnects by itself, as real clients do.</summary>
    private object StormArm()
    {
        _storm = new ReconnectStorm(IdleOpen);
        _subject = null;
        return new { total = _storm.Total };
    }

    /// <summary>Waits until every idle connection is connected to the new server, that is, opened after the old
    /// one had exited; those that reconnected into the stopping server and lost it again do not count.</summary>
    private async Task<StormResult> StormWaitAsync(StormWaitArgs args)
    {
        var storm = _storm ?? throw new InvalidOperationException("The storm is not armed.");
        int Back() => _connections.Values.Count(c => c.Slot < PairSlots && c.IsOpen && c.ConnectedAt >= args.SinceTs);
        using var progress = ReportProgress(() => new WorkerProgress(Back(), storm.Attempts, storm.Total - Back()));
        var deadline = Stopwatch.GetTimestamp() + (long)(args.TimeoutSeconds * Stopwatch.Frequency);
        while (Back() < storm.Total && Stopwatch.GetTimestamp() < deadline) await Task.Delay(100);
        await storm.GiveUp.CancelAsync();
        _storm = null;
        var back = _connections.Values.Where(c => c.Slot < PairSlots && c.IsOpen && c.ConnectedAt >= args.SinceTs).ToList();
        return storm.Result(back.Count, back.Count == 0 ? 0 : back.Max(c => c.ConnectedAt), args.SinceTs);
    }

    private async Task ReconnectAsync(ReconnectStorm storm, int slot)
    {
        for (var retry = 0; !storm.GiveUp.IsCancellationRequested; retry++)
        {
            var delay = ReconnectSteps[Math.Min(retry, ReconnectSteps.Length - 1)] + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250));
            try
            {
                await Task.Delay(delay, storm.GiveUp.Token);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(storm.GiveUp.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(15));
                storm.Attempt();
                var connection = await ConnectIdleAsync(slot, slot, timeout.Token);
                _connections[slot] = connection;
                storm.Reconnected(connection.ConnectedAt);
                return;
            }
            catch (OperationCanceledException) when (storm.GiveUp.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                storm.Failed(Describe(e));
            }
        }
    }

    /// <summary>Opens connections beyond the run's total, to see how the server behaves at its file limit.
    /// Those that open stay open until <see cref="ProbeRelease"/>.</summary>
    private async Task<ProbeResult> ProbeAsync(ProbeArgs args)
    {
        var outcomes = new ConcurrentDictionary<string, int>();
        using var gate = new SemaphoreSlim(args.Concurrency);
        var mine = Enumerable.Range(0, args.Extra).Where(i => i % _init.WorkerCount == _init.WorkerIndex).ToList();
        await Task.WhenAll(mine.Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(args.TimeoutSeconds));
                var connection = await ConnectIdleAsync(ProbeSlots + i, i, timeout.Token);
                _probes.Add(connection);
                outcomes.AddOrUpdate("connected", 1, (_, n) => n + 1);
            }
            catch (Exception e)
            {
                outcomes.AddOrUpdate(Describe(e), 1, (_, n) => n + 1);
            }
            finally
            {
                gate.Release();
            }
        }));
        return new ProbeResult(mine.Count, new(outcomes));
    }

    /// <summary>Asks a few existing connections to invoke the hub, to see that the server still serves them.
    /// The signal is for no call, so the hub answers with its "signal-refused" error.</summary>
    private async Task<ProbeCheckResult> ProbeCheckAsync(ProbeCheckArgs args)
    {
        var answers = new ConcurrentDictionary<string, int>();
        var asked = _connections.Values.OfType<LeanHubConnection>().Where(c => c.Slot < PairSlots).Take(args.Connections).ToList();
        var slowest = 0.0;
        var answered = 0;
        await Task.WhenAll(asked.Select(async connection =>
        {
            var start = Stopwatch.GetTimestamp();
            string answer;
            try
            {
                await connection.InvokeAsync("SendSignal", new { callId = Guid.Empty, kind = "offer", payload = "probe" })
                    .WaitAsync(TimeSpan.FromSeconds(args.TimeoutSeconds));
                answer = "ok";
            }
            catch (HubErrorException e)
            {
                answer = e.Message.Split(':')[0];
            }
            catch (TimeoutException)
            {
                answers.AddOrUpdate("no answer", 1, (_, n) => n + 1);
                return;
            }
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            lock (answers)
            {
                answered++;
                slowest = Math.Max(slowest, elapsed);
            }
            answers.AddOrUpdate(answer, 1, (_, n) => n + 1);
        }));
        return new ProbeCheckResult(asked.Count, answered, slowest, new(answers));
    }

    private object ProbeRelease()
    {
        var count = 0;
        while (_probes.TryTake(out var connection))
        {
            connection.Close();
            count++;
        }
        return new { closed = count };
    }

    private sealed class ReconnectStorm(int total)
    {
        private readonly ConcurrentDictionary<string, int> _errors = new();
        private readonly ConcurrentBag<long> _reconnects = [];
        private int _attempts;
        private long _firstDown;

        public int Total { get; } = total;
        public int Attempts => Volatile.Read(ref _attempts);
        public CancellationTokenSource GiveUp { get; } = new();

        public void Lost(LoadWorker worker, int slot)
        {
            Interlocked.CompareExchange(ref _firstDown, Stopwatch.GetTimestamp(), 0);
            _ = worker.ReconnectAsync(this, slot);
        }

        public void Attempt() => Interlocked.Increment(ref _attempts);

        public void Failed(string why) => _errors.AddOrUpdate(why, 1, (_, n) => n + 1);

        public void Reconnected(long at) => _reconnects.Add(at);

        public StormResult Result(int back, long lastBack, long since) => new(Total, back, Interlocked.Read(ref _firstDown),
            lastBack, Attempts, _reconnects.Count(at => at < since), new(_errors));
    }
}
