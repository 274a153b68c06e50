using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Peercall.Bench.Load;
using Peercall.Bench.Reporting;
using Peercall.Bench.Scenarios;
using Peercall.Bench.Servers;
using Peercall.Bench.Users;
using Peercall.Contracts.Signaling;

namespace Peercall.Bench.Cluster;

/// <summary>One cluster run: starts PostgreSQL, Redis and the nodes, creates the users through node 1, spreads
/// the idle connections over every node, measures relay, fan-out and a node's crash, and writes the results
/// (console table, JSON, charts and, for a full run, the README's cluster section).</summary>
public sealed class ClusterRun(BenchSettings settings, string repositoryRoot, string command)
{
    private readonly string _benchFolder = Path.Combine(repositoryRoot, "bench");

    public async Task<int> RunAsync()
    {
        var startedAt = DateTimeOffset.Now;
        var watch = Stopwatch.StartNew();
        var tmp = Path.Combine(_benchFolder, "results", "tmp");
        var work = Path.Combine(tmp, "cluster-run");
        var output = settings.OutputFolder ?? (settings.Mode == "full" ? Path.Combine(_benchFolder, "results") : Path.Combine(tmp, $"cluster-{settings.Mode}"));
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(output);

        var raised = Priority.Raise();
        await using var fleet = LoadFleet.Start(settings.LoadProcesses);
        var context = new BenchContext(settings, fleet, work);
        context.Log($"Peercall cluster benchmark, {settings.Mode} mode: {settings.Nodes} nodes, steps " +
                    $"{string.Join(", ", settings.Steps.Select(s => s.ToString("N0")))}; {settings.TotalUsers:N0} users; " +
                    $"{settings.LoadProcesses} load processes; " + (raised ? $"running at nice {Priority.Nice}" : "running at normal priority"));

        context.Log("Building Peercall.Server in Release");
        var serverFolder = Path.Combine(tmp, "server");
        await PeercallServer.PublishAsync(repositoryRoot, serverFolder);
        var machine = Machine.Describe("not run", raised ? Priority.Nice : 0);

        context.Log($"Starting PostgreSQL, Redis and {settings.Nodes} nodes");
        var startWatch = Stopwatch.StartNew();
        await using var cluster = await PeercallCluster.StartAsync(serverFolder, work, settings.Nodes, settings.ServerEnvironment,
            TimeSpan.FromMinutes(2));
        var startSeconds = startWatch.Elapsed.TotalSeconds;
        var nodes = cluster.Nodes;
        context.Log($"  {string.Join(", ", nodes.Select(n => $"{n.Name} on port {n.Port}"))} ready in {startSeconds:N1} s");

        context.Log($"Creating {settings.TotalUsers:N0} users through {nodes[0].Name}'s REST API");
        var usersWatch = Stopwatch.StartNew();
        context.Users = await new UserDirectory(Path.Combine(tmp, "users"), context.Log).CreateAsync(nodes[0], settings.TotalUsers);
        var usersSeconds = usersWatch.Elapsed.TotalSeconds;
        var usersFile = Path.Combine(work, "users.json");
        await File.WriteAllBytesAsync(usersFile, JsonSerializer.SerializeToUtf8Bytes(context.Users, WorkerProtocol.Json));
        // Node 1 did all the sign-ins: started again, it is measured from a fresh process like the others.
        await nodes[0].StopAsync(TimeSpan.FromSeconds(30));
        await nodes[0].StartAsync(TimeSpan.FromMinutes(2));

        await fleet.AllAsync<object>(WorkerProtocol.Init, i => new InitArgs(i, settings.LoadProcesses, TargetServer.Peercall,
            [.. nodes.Select(n => n.Port)], usersFile, settings.IdleUserOffset, settings.IdleUsers, settings.SourceAddresses,
            KeepAliveSeconds: (int)RealtimeKeepAlive.Interval.TotalSeconds), TimeSpan.FromMinutes(1));
        await context.SettleBeforeBaselineAsync(nodes);
        var baseline = nodes.Select(n => ProcessMetrics.RssKb(n.Pid)).ToArray();
        var (redisBefore, _) = await cluster.RedisMemoryAsync();

        var steps = new List<ClusterStep>();
        var relay = new List<PlacedRelayRun>();
        var fanOut = new ServerResults("cluster");
        foreach (var step in settings.Steps)
        {
            steps.Add(await ClusterIdleScenario.RampAsync(context, cluster, baseline, step));
            // The subject connects to node 1; the watchers are every idle connection, on every node.
            if (settings.FanOutAt.Contains(step) && settings.Runs("fanout")) await FanOutScenario.RunAsync(context, nodes[0], fanOut);
            if (step == settings.RelayAt && settings.Runs("relay")) relay.AddRange(await ClusterRelayScenario.RunAsync(context, cluster));
        }
        var closes = await context.UnexpectedClosesAsync();
        var kill = settings.Runs("kill") ? await NodeKillScenario.RunAsync(context, cluster) : null;
        await IdleScenario.ShrinkAsync(context, 0);
        var logs = nodes.Select(n => NodeLogs.Read(n.Name, n.LogFile)).ToList();
        foreach (var log in logs.Where(l => l.Warnings + l.Errors > 0))
            context.Log($"{log.Node} logged {log.Warnings} warnings and {log.Errors} errors: " +
                        string.Join("; ", log.Samples.OrderByDescending(s => s.Value).Take(3).Select(s => $"{s.Value}x {s.Key}")));

        var plan = new ClusterPlan(settings.Nodes, settings.Steps, settings.RelayPairs, settings.RelayRates, settings.RelaySeconds,
            settings.FanOutRepeats, settings.TotalUsers, settings.IdleUsers, settings.LoadProcesses, settings.SourceAddresses,
            LoadWorker.PayloadLengths);
        var setup = new ClusterSetup(PeercallCluster.PostgresVersion(), PeercallCluster.RedisVersion(), startSeconds,
            settings.TotalUsers, usersSeconds, baseline, redisBefore);
        var results = new ClusterResults(settings.Mode, command, startedAt, watch.Elapsed.TotalSeconds, machine, plan, setup, steps,
            relay, fanOut.FanOut, kill, closes, logs, ClusterVerdict.Targets(settings, steps, relay, kill, closes));

        await File.WriteAllBytesAsync(Path.Combine(output, "cluster.json"),
            JsonSerializer.SerializeToUtf8Bytes(results, new JsonSerializerOptions(WorkerProtocol.Json)
            {
                WriteIndented = true,
                // A time that was never reached (a watcher that never saw its event) is NaN.
                NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            }));
        ClusterCharts.Draw(results, output);
        var table = ClusterReport.Markdown(results, chartFolder: settings.Mode == "full" ? "results" : null);
        Console.WriteLine();
        Console.WriteLine(table);
        if (settings.UpdateReadme)
            ResultTable.UpdateReadme(Path.Combine(_benchFolder, "README.md"), table, ClusterReport.Start, ClusterReport.End);
        context.Log($"Done in {watch.Elapsed.TotalMinutes:N1} min; results in {output}; node logs in {work}");
        return 0;
    }
}
