using System.Text;
using static Peercall.Bench.Reporting.ResultTable;

namespace Peercall.Bench.Cluster;

/// <summary>A cluster run as Markdown: printed on the console and, for a full run, put into the README's
/// "Several nodes" section.</summary>
public static class ClusterReport
{
    public const string Start = "<!-- cluster-results:start -->", End = "<!-- cluster-results:end -->";

    public static string Markdown(ClusterResults r, string? chartFolder)
    {
        var md = new StringBuilder();
        var m = r.Machine;
        var p = r.Plan;
        var s = r.Setup;
        md.AppendLine($"Run of {r.StartedAt:yyyy-MM-dd HH:mm} ({r.Mode} mode, {r.DurationSeconds / 60:N0} min): `{r.Command}`");
        md.AppendLine();
        md.AppendLine($"Machine: {m.Cpu}, {m.Cores} cores, {m.MemoryGiB:N0} GiB, {m.Os} (Linux {m.Kernel}), {m.Dotnet}, open file limit " +
                      $"{m.OpenFileLimit:N0}, load average {m.LoadAverageAtStart:N2} at the start, benchmark processes at nice {m.Nice}. " +
                      $"{s.Postgres}; {s.Redis.Split(' ').Take(3).Aggregate((a, b) => $"{a} {b}")}. {p.Nodes} nodes, every process on this one machine. " +
                      $"{p.LoadProcesses} load processes over {p.SourceAddresses} loopback source addresses. PostgreSQL, Redis and the " +
                      $"nodes started in {s.StartSeconds:N1} s; {s.Users:N0} users registered and signed in through node 1's REST API in " +
                      $"{s.UsersSeconds:N0} s ({s.Users / s.UsersSeconds:N0}/s); {p.IdleUsers:N0} of them behind the idle connections, " +
                      $"each with {Math.Ceiling((double)p.Steps[^1] / p.IdleUsers):N0} devices on one node at the top.");
        md.AppendLine();

        md.AppendLine("**Targets**");
        md.AppendLine();
        Table(md, ["Target", "Measured", "Met"], r.Targets.Select(t => new[] { t.Target, t.Measured, t.Met switch { true => "yes", false => "**no**", null => "n/a" } }));

        md.AppendLine($"**Idle connections** (connection *g* on node *g* mod {p.Nodes}; memory is RSS growth over the freshly started node)");
        md.AppendLine();
        Table(md, ["Connections", "Open", "Failed", "Connects/s", "Ramp CPU (nodes / load / others)", "Redis MB used"],
            r.Steps.Select(x => new[]
            {
                x.Connections.ToString("N0"), x.Open.ToString("N0"), x.Failed.ToString("N0"), F(x.ConnectsPerSecond, 0),
                $"{x.RampCpuPercent:N0}% / {x.LoadCpuPercent:N0}% / {x.OtherCpuPercent:N0}%", F(x.RedisUsedKb / 1024.0, 0),
            }));
        Table(md, ["Connections", "Node", "Open on it", "RSS MB (fresh)", "RSS MB", "KB per connection", "Idle CPU", "Files"],
            r.Steps.SelectMany(x => x.Nodes.Select((n, i) => new[]
            {
                x.Connections.ToString("N0"), n.Node, n.Open.ToString("N0"), F(s.BaselineRssKb[i] / 1024.0, 0), F(n.RssKb / 1024.0, 0),
                F(n.KbPerConnection, 1), $"{n.IdleCpuPercent:N1}%", n.OpenFiles.ToString("N0"),
            })));
        foreach (var x in r.Steps.Where(x => x.Errors.Count > 0))
            md.AppendLine($"Failed at {x.Connections:N0}: {string.Join("; ", x.Errors.Select(e => $"{e.Value}x {e.Key}"))}\n");

        if (r.Relay.Count > 0)
        {
            md.AppendLine($"**Signal relay, same node against cross node** ({p.RelayPairs} pairs each, {p.RelaySeconds:N0} s per rate; latency in ms, sender to receiver)");
            md.AppendLine();
            Table(md, ["Pairs", "Signals/s", "Open", "Sent", "Lost", "Errors", "p50", "p95", "p99", "p99.9", "max", "CPU nodes / load / others"],
                r.Relay.Select(x => new[]
                {
                    x.Placement, x.Run.Rate.ToString("N0"), x.Run.OpenConnections.ToString("N0"), x.Run.Sent.ToString("N0"),
                    (x.Run.Sent - x.Run.Received).ToString("N0"), x.Run.Errors.ToString("N0"), F(x.Run.Latency.P50, 2), F(x.Run.Latency.P95, 2),
                    F(x.Run.Latency.P99, 2), F(x.Run.Latency.P999, 2), F(x.Run.Latency.Max, 1),
                    $"{x.Run.ServerCpuPercent:N0}% / {x.Run.LoadCpuPercent:N0}% / {x.Run.OtherCpuPercent:N0}%",
                }));
        }

        if (r.FanOut.Count > 0)
        {
            md.AppendLine("**Presence fan-out across nodes** (the subject connects to node 1; ms from the action to the last watcher's PresenceChanged, watchers on every node)");
            md.AppendLine();
            Table(md, ["Watchers", "Change", "Repeats", "p50", "p99", "max", "Missed events"], r.FanOut.Select(f => new[]
            {
                f.Watchers.ToString("N0"), f.Change, f.Repeats.ToString(), F(f.Latency.P50, 1), F(f.Latency.P99, 1), F(f.Latency.Max, 1), f.Missed.ToString("N0"),
            }));
        }

        if (r.Kill is { } k)
        {
            md.AppendLine("**A node killed** (SIGKILL with its connections open; seconds from the kill)");
            md.AppendLine();
            Table(md, ["Node", "Its connections", "Its users", "Watchers on the others", "Saw one go offline", "Last watcher", "All offline in node 1's contact list", "Other nodes' users shown offline (30 s)"],
            [[
                k.Node, k.ConnectionsOnNode.ToString("N0"), k.UsersOnNode.ToString("N0"), k.Watchers.ToString("N0"), k.WatchersSeen.ToString("N0"),
                F(k.LastWatcherSeconds, 1), k.StillOnlineAtEnd > 0 ? $"{k.StillOnlineAtEnd} still online after 60 s" : F(k.OfflineEverywhereSeconds, 1),
                k.SurvivorsWronglyOffline == 0
                    ? $"none of {k.SurvivingUsers:N0}"
                    : $"**up to {k.SurvivorsWronglyOffline:N0} of {k.SurvivingUsers:N0}**, from {F(k.FirstWronglyOfflineSeconds, 1)} s",
            ]]);
        }

        md.AppendLine(r.UnexpectedCloses.Count == 0
            ? "No connection was closed by a node before the kill."
            : "Connections closed by a node before the kill: " + string.Join("; ", r.UnexpectedCloses.Select(c => $"{c.Value}x {c.Key}")));
        md.AppendLine();
        var logged = r.Logs.Where(l => l.Warnings + l.Errors > 0).ToList();
        md.AppendLine(logged.Count == 0
            ? "The nodes logged no warnings or errors."
            : "What the nodes logged: " + string.Join(" ", logged.Select(l => $"{l.Node}: {l.Warnings} warnings, {l.Errors} errors (" +
                string.Join("; ", l.Samples.OrderByDescending(x => x.Value).Take(3).Select(x => $"{x.Value}x `{x.Key}`")) + ").")));
        md.AppendLine();

        if (chartFolder is not null)
        {
            md.AppendLine($"![Memory of each node against the connections it holds]({chartFolder}/cluster-memory.png)");
            md.AppendLine();
            md.AppendLine($"![Signal relay latency, same node and cross node]({chartFolder}/cluster-latency.png)");
        }
        return md.ToString();
    }
}
