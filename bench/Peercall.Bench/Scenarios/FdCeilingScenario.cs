using System.Diagnostics;
using System.Net;
using Peercall.Bench.Load;
using Peercall.Bench.Reporting;
using Peercall.Bench.Servers;

namespace Peercall.Bench.Scenarios;

/// <summary>
/// At the top step, asks for more connections than the server's file limit allows and records what happens:
/// what the refused clients see, whether the server keeps serving its connections and its health check, whether
/// it spins, what it logs, and whether it accepts again once files are free.
/// </summary>
public static class FdCeilingScenario
{
    private static readonly string[] FileLimitWords = ["Too many open files", "EMFILE", "file descriptor", "open files"];

    public static async Task RunAsync(BenchContext context, PeercallServer server, ServerResults results)
    {
        var extra = context.Settings.FdProbeExtra;
        var openBefore = await context.OpenConnectionsAsync();
        var filesBefore = ProcessMetrics.OpenFiles(server.Pid);
        var logStart = new FileInfo(server.LogFile).Length;
        context.Log($"File limit probe: {openBefore:N0} open, the server holds {filesBefore:N0} files; trying {extra:N0} more");

        var probe = await context.Fleet.AllAsync<ProbeResult>(WorkerProtocol.Probe, new ProbeArgs(extra, 16, TimeoutSeconds: 15),
            TimeSpan.FromMinutes(15));
        var outcomes = probe.SelectMany(p => p.Outcomes).GroupBy(o => o.Key).ToDictionary(g => g.Key, g => g.Sum(o => o.Value));
        var filesAtPeak = ProcessMetrics.OpenFiles(server.Pid);
        var cpu = await BenchContext.CpuPercentAsync(server, TimeSpan.FromSeconds(5));

        var checks = await context.Fleet.AllAsync<ProbeCheckResult>(WorkerProtocol.ProbeCheck, new ProbeCheckArgs(5, 10),
            TimeSpan.FromMinutes(1));
        var answers = checks.SelectMany(c => c.Answers).GroupBy(a => a.Key).ToDictionary(g => g.Key, g => g.Sum(a => a.Value));
        var (healthMs, healthStatus) = await HealthAsync(server);

        await context.Fleet.AllAsync<object>(WorkerProtocol.ProbeRelease, new { }, TimeSpan.FromMinutes(5));
        await Task.Delay(3000);
        var afterRelease = await TryConnectAsync(context, server);
        var (logCount, samples) = ScanLog(server.LogFile, logStart);

        var run = new FdCeilingRun(openBefore, filesBefore, extra, outcomes, filesAtPeak, checks.Sum(c => c.Asked),
            checks.Sum(c => c.Answered), checks.Max(c => c.MaxMilliseconds), answers, healthMs, healthStatus, afterRelease,
            cpu, logCount, samples);
        results.FdCeiling = run;
        context.Log($"  outcomes: {string.Join("; ", outcomes.Select(o => $"{o.Value}x {o.Key}"))}");
        context.Log($"  server files at peak {filesAtPeak:N0}, CPU {cpu:N0}% while at the limit; existing connections answered " +
                    $"{run.ExistingAnswered}/{run.ExistingAsked} (slowest {run.ExistingSlowestMs:N0} ms); /healthz {healthStatus} in {healthMs:N0} ms; " +
                    $"after release: {afterRelease}; {logCount} log lines about the file limit");
    }

    private static async Task<(double Milliseconds, string Status)> HealthAsync(PeercallServer server)
    {
        using var http = server.CreateHttpClient(TimeSpan.FromSeconds(10));
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync("healthz");
            return (watch.Elapsed.TotalMilliseconds, ((int)response.StatusCode).ToString());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (watch.Elapsed.TotalMilliseconds, LoadWorker.Describe(e));
        }
    }

    private static async Task<string> TryConnectAsync(BenchContext context, PeercallServer server)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var connection = await LeanHubConnection.ConnectAsync(IgnoringListener.Instance, IPAddress.Parse("127.0.0.2"),
                new IPEndPoint(IPAddress.Loopback, server.Port), context.Users[context.Settings.PresenceSubject].AccessToken, -1, timeout.Token,
                server.Tls);
            connection.Close();
            return "a new connection opens";
        }
        catch (Exception e)
        {
            return $"a new connection fails: {LoadWorker.Describe(e)}";
        }
    }

    private static (int Count, string[] Samples) ScanLog(string logFile, long from)
    {
        using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(from, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var matches = new List<string>();
        while (reader.ReadLine() is { } line)
            if (FileLimitWords.Any(word => line.Contains(word, StringComparison.OrdinalIgnoreCase)))
                matches.Add(line.Trim());
        return (matches.Count, matches.Distinct().Take(5).ToArray());
    }
}
