using System.Diagnostics;
using Peercall.Bench.Load;
using Peercall.Bench.Servers;

namespace Peercall.Bench.Scenarios;

/// <summary>What every scenario works with: the plan, the load processes, the users, and the console.</summary>
public sealed class BenchContext(BenchSettings settings, LoadFleet fleet, string workFolder)
{
    public BenchSettings Settings { get; } = settings;
    public LoadFleet Fleet { get; } = fleet;
    public string WorkFolder { get; } = workFolder;
    public BenchUser[] Users { get; set; } = [];

    public static readonly TimeSpan LongWait = TimeSpan.FromMinutes(90);

    public void Log(string line) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");

    /// <summary>Shows a status line every few seconds until disposed.</summary>
    public IDisposable Progress(Func<string> status)
    {
        var interval = Console.IsOutputRedirected ? 10_000 : 2_000;
        return new Timer(_ => Log("  " + status()), null, interval, interval);
    }

    /// <summary>Waits before the reading of memory without connections as long as each step waits before its own
    /// (settling, then the CPU window), so servers that give memory back when idle have done so in both readings.</summary>
    public Task SettleBeforeBaselineAsync(IReadOnlyList<ServerProcess> servers) =>
        SettleAsync(servers, TimeSpan.FromSeconds(Settings.SettleSeconds + Settings.CpuWindowSeconds), TimeSpan.FromMinutes(1));

    /// <summary>Waits until the server has worked off what the last step left it (presence broadcasts, say): at
    /// least <paramref name="minimum"/>, then until a second passes with it using under a fifth of a core.</summary>
    public static Task SettleAsync(ServerProcess server, TimeSpan minimum, TimeSpan maximum) =>
        SettleAsync([server], minimum, maximum);

    /// <summary>As above, for all nodes of a cluster: until each of them uses under a fifth of a core.</summary>
    public static async Task SettleAsync(IReadOnlyList<ServerProcess> servers, TimeSpan minimum, TimeSpan maximum)
    {
        var watch = Stopwatch.StartNew();
        await Task.Delay(minimum);
        while (watch.Elapsed < maximum)
        {
            var before = servers.Select(s => ProcessMetrics.CpuSeconds(s.Pid)).ToArray();
            await Task.Delay(1000);
            if (servers.Select((s, i) => ProcessMetrics.CpuSeconds(s.Pid) - before[i]).All(used => used < 0.2)) return;
        }
    }

    /// <summary>A server's CPU over a window, in percent of one core.</summary>
    public static async Task<double> CpuPercentAsync(ServerProcess server, TimeSpan window)
    {
        var before = ProcessMetrics.CpuSeconds(server.Pid);
        await Task.Delay(window);
        return (ProcessMetrics.CpuSeconds(server.Pid) - before) / window.TotalSeconds * 100;
    }

    public async Task<int> OpenConnectionsAsync() =>
        (await Fleet.AllAsync<StatusResult>(WorkerProtocol.Status, new { }, TimeSpan.FromMinutes(1))).Sum(s => s.Open);

    public async Task<Dictionary<string, int>> UnexpectedClosesAsync()
    {
        var statuses = await Fleet.AllAsync<StatusResult>(WorkerProtocol.Status, new { }, TimeSpan.FromMinutes(1));
        return statuses.SelectMany(s => s.CloseReasons).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
    }

    public static double Milliseconds(long fromTicks, long toTicks) => (toTicks - fromTicks) * 1000.0 / Stopwatch.Frequency;
}
