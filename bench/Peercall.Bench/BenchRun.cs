using System.Diagnostics;
using System.Text.Json;
using Peercall.Bench.Load;
using Peercall.Bench.Reporting;
using Peercall.Bench.Scenarios;
using Peercall.Bench.Servers;
using Peercall.Bench.Users;
using Peercall.Contracts.Signaling;

namespace Peercall.Bench;

/// <summary>One benchmark run: builds and starts both servers, runs every scenario against each, and writes the
/// results (console table, JSON, charts and, for a full run, the README's results section).</summary>
public sealed class BenchRun(BenchSettings settings, string repositoryRoot, string command)
{
    private readonly string _benchFolder = Path.Combine(repositoryRoot, "bench");

    public async Task<int> RunAsync()
    {
        var startedAt = DateTimeOffset.Now;
        var watch = Stopwatch.StartNew();
        var tmp = Path.Combine(_benchFolder, "results", "tmp");
        var work = Path.Combine(tmp, "run");
        var output = settings.OutputFolder ?? (settings.Mode == "full" ? Path.Combine(_benchFolder, "results") : Path.Combine(tmp, settings.Mode));
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(output);

        var raised = Priority.Raise();
        await using var fleet = LoadFleet.Start(settings.LoadProcesses);
        var context = new BenchContext(settings, fleet, work);
        context.Log($"Peercall benchmark, {settings.Mode} mode{(settings.Tls ? " over TLS" : "")}: steps {string.Join(", ", settings.Steps.Select(s => s.ToString("N0")))}; " +
                    $"{settings.TotalUsers:N0} users; {settings.LoadProcesses} load processes; " +
                    (raised ? $"running at nice {Priority.Nice}" : "running at normal priority (raising it needs root)"));

        var peerJsFolder = Path.Combine(_benchFolder, "peerjs");
        context.Log("Building Peercall.Server in Release and installing the PeerJS server");
        var serverFolder = Path.Combine(tmp, "server");
        await PeercallServer.PublishAsync(repositoryRoot, serverFolder);
        var emptyHubFolder = Path.Combine(tmp, "empty-hub");
        if (settings.EmptyHubAt > 0) await EmptyHubServer.PublishAsync(repositoryRoot, emptyHubFolder);
        if (settings.RunPeerJs) await PeerJsServer.InstallAsync(peerJsFolder);
        var machine = Machine.Describe(settings.RunPeerJs ? PeerJsServer.InstalledVersion(peerJsFolder) : "not run", raised ? Priority.Nice : 0);

        await using var peercall = new PeercallServer(serverFolder, Path.Combine(work, "peercall-data"), ServerProcess.FreePort(),
            Path.Combine(work, "peercall.log"), settings.ServerEnvironment, tls: settings.Tls);
        context.Log($"Preparing {settings.TotalUsers:N0} users through the REST API");
        var directory = new UserDirectory(Path.Combine(tmp, "users"), context.Log);
        context.Users = await directory.PrepareAsync(peercall, settings.TotalUsers, settings.UseUserCache, TimeSpan.FromMinutes(2));
        var usersFile = Path.Combine(work, "users.json");
        await File.WriteAllBytesAsync(usersFile, JsonSerializer.SerializeToUtf8Bytes(context.Users, WorkerProtocol.Json));
        // Measured from a freshly started process, so nothing of the sign-ins above counts as connection memory.
        await peercall.StopAsync(TimeSpan.FromSeconds(30));
        await peercall.StartAsync(TimeSpan.FromMinutes(2));

        var peerJsResults = new ServerResults("PeerJS");
        if (settings.RunPeerJs)
        {
            await using var peerJs = new PeerJsServer(peerJsFolder, ServerProcess.FreePort(), Path.Combine(work, "peerjs.log"));
            await peerJs.StartAsync(TimeSpan.FromMinutes(1));
            await RunPeerJsAsync(context, peerJs, peerJsResults);
        }

        var emptyHubResults = new ServerResults("Empty SignalR hub");
        if (settings.EmptyHubAt > 0 && settings.HoldSeconds is null)
        {
            await using var emptyHub = new EmptyHubServer(emptyHubFolder, ServerProcess.FreePort(), Path.Combine(work, "empty-hub.log"),
                settings.Tls ? peercall.DataFolder : null, settings.ServerEnvironment);
            await emptyHub.StartAsync(TimeSpan.FromMinutes(1));
            await RunEmptyHubAsync(context, emptyHub, emptyHubResults, settings.Tls ? peercall.AuthorityFile : null);
        }

        var peercallResults = new ServerResults("Peercall");
        if (settings.HoldSeconds is { } hold)
        {
            await HoldAsync(context, peercall, peercallResults, usersFile, hold);
            return 0;
        }
        await RunPeercallAsync(context, peercall, peercallResults, usersFile);

        var plan = new BenchPlan(settings.Steps, settings.FanOutAt, settings.RelayAt, settings.RelayPairs, settings.RelayRates,
            settings.RelaySeconds, settings.CallRate, settings.CallCount, settings.StormClients, settings.TotalUsers,
            settings.IdleUsers, settings.LoadProcesses, settings.SourceAddresses, LoadWorker.PayloadLengths);
        var ratios = Verdict.Ratios(peercallResults, peerJsResults);
        var results = new BenchResults(settings.Mode, command, startedAt, watch.Elapsed.TotalSeconds, machine, plan,
            settings.Tls, peercallResults, peerJsResults, emptyHubResults, ratios,
            Verdict.Targets(settings, peercallResults, emptyHubResults));

        await File.WriteAllBytesAsync(Path.Combine(output, $"{settings.Mode}{results.Suffix}.json"),
            JsonSerializer.SerializeToUtf8Bytes(results, new JsonSerializerOptions(WorkerProtocol.Json) { WriteIndented = true }));
        Charts.Draw(results, output);
        var table = ResultTable.Markdown(results, chartFolder: settings.Mode == "full" ? "results" : null);
        Console.WriteLine();
        Console.WriteLine(table);
        if (settings.UpdateReadme)
            ResultTable.UpdateReadme(Path.Combine(_benchFolder, "README.md"), table,
                settings.Tls ? ResultTable.TlsStart : ResultTable.Start, settings.Tls ? ResultTable.TlsEnd : ResultTable.End);
        context.Log($"Done in {watch.Elapsed.TotalMinutes:N1} min; results in {output}");
        return 0;
    }

    private static async Task RunPeerJsAsync(BenchContext context, PeerJsServer server, ServerResults results)
    {
        var settings = context.Settings;
        await context.Fleet.AllAsync<object>(WorkerProtocol.Init, i => new InitArgs(i, settings.LoadProcesses, TargetServer.PeerJs,
            [server.Port], null, 0, 1, settings.SourceAddresses, KeepAliveSeconds: 5), TimeSpan.FromMinutes(1));
        await SettleBaselineAsync(context, server, results);
        foreach (var step in settings.Steps)
        {
            await IdleScenario.RampAsync(context, server, results, step);
            if (step == settings.RelayAt && settings.Runs("relay")) await RelayScenario.RunAsync(context, server, results);
        }
        results.UnexpectedCloses = await context.UnexpectedClosesAsync();
        await IdleScenario.ShrinkAsync(context, 0);
    }

    /// <summary>The floor: the empty hub with the same idle connections (SignalR handshake and pings, nothing else),
    /// at one step, then closed again.</summary>
    private static async Task RunEmptyHubAsync(BenchContext context, EmptyHubServer server, ServerResults results, string? authorityFile)
    {
        var settings = context.Settings;
        await context.Fleet.AllAsync<object>(WorkerProtocol.Init, i => new InitArgs(i, settings.LoadProcesses, TargetServer.EmptyHub,
            [server.Port], null, 0, 1, settings.SourceAddresses, KeepAliveSeconds: (int)RealtimeKeepAlive.Interval.TotalSeconds,
            AuthorityFile: authorityFile),
            TimeSpan.FromMinutes(1));
        await SettleBaselineAsync(context, server, results);
        await IdleScenario.RampAsync(context, server, results, settings.EmptyHubAt);
        results.UnexpectedCloses = await context.UnexpectedClosesAsync();
        await IdleScenario.ShrinkAsync(context, 0);
    }

    /// <summary>Ramps Peercall through the steps and their scenarios (as chosen with --scenarios), then keeps it at
    /// the top for a profiler.</summary>
    private static async Task HoldAsync(BenchContext context, PeercallServer server, ServerResults results, string usersFile, int seconds)
    {
        await InitPeercallAsync(context, server, results, usersFile);
        await RampWithScenariosAsync(context, server, results);
        context.Log($"Holding {await context.OpenConnectionsAsync():N0} connections for {seconds} s: Peercall is process {server.Pid}");
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        await IdleScenario.ShrinkAsync(context, 0);
    }

    private static async Task InitPeercallAsync(BenchContext context, PeercallServer server, ServerResults results, string usersFile)
    {
        var settings = context.Settings;
        await context.Fleet.AllAsync<object>(WorkerProtocol.Init, i => new InitArgs(i, settings.LoadProcesses, TargetServer.Peercall,
            [server.Port], usersFile, settings.IdleUserOffset, settings.IdleUsers, settings.SourceAddresses, KeepAliveSeconds: (int)RealtimeKeepAlive.Interval.TotalSeconds,
            AuthorityFile: server.UsesTls ? server.AuthorityFile : null),
            TimeSpan.FromMinutes(1));
        await SettleBaselineAsync(context, server, results);
    }

    private static async Task SettleBaselineAsync(BenchContext context, ServerProcess server, ServerResults results)
    {
        await context.SettleBeforeBaselineAsync([server]);
        results.BaselineRssKb = ProcessMetrics.RssKb(server.Pid);
    }

    private static async Task RampWithScenariosAsync(BenchContext context, PeercallServer server, ServerResults results)
    {
        var settings = context.Settings;
        foreach (var step in settings.Steps)
        {
            await IdleScenario.RampAsync(context, server, results, step);
            if (settings.FanOutAt.Contains(step) && settings.Runs("fanout")) await FanOutScenario.RunAsync(context, server, results);
            if (step == settings.RelayAt && settings.Runs("relay")) await RelayScenario.RunAsync(context, server, results);
            if (step == settings.RelayAt && settings.Runs("calls")) await CallRequestScenario.RunAsync(context, server, results);
        }
    }

    private static async Task RunPeercallAsync(BenchContext context, PeercallServer server, ServerResults results, string usersFile)
    {
        var settings = context.Settings;
        await InitPeercallAsync(context, server, results, usersFile);
        await RampWithScenariosAsync(context, server, results);
        if (settings.FdProbeExtra > 0 && settings.Runs("ceiling")) await FdCeilingScenario.RunAsync(context, server, results);
        results.UnexpectedCloses = await context.UnexpectedClosesAsync();
        if (settings.Runs("storm")) await ReconnectStormScenario.RunAsync(context, server, results);
        await IdleScenario.ShrinkAsync(context, 0);
    }
}
