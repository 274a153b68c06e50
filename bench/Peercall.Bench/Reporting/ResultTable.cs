using System.Globalization;
using System.Text;

namespace Peercall.Bench.Reporting;

/// <summary>The results as Markdown tables: printed on the console and, for a full run, put into the README.</summary>
public static class ResultTable
{
    public const string Start = "<!-- results:start -->", End = "<!-- results:end -->";
    public const string TlsStart = "<!-- tls-results:start -->", TlsEnd = "<!-- tls-results:end -->";

    public static string Markdown(BenchResults r, string? chartFolder)
    {
        var md = new StringBuilder();
        var m = r.Machine;
        md.AppendLine($"Run of {r.StartedAt:yyyy-MM-dd HH:mm} ({r.Mode} mode, {r.DurationSeconds / 60:N0} min): `{r.Command}`");
        md.AppendLine();
        md.AppendLine($"Machine: {m.Cpu}, {m.Cores} cores, {m.MemoryGiB:N0} GiB, {m.Os} (Linux {m.Kernel}), {m.Dotnet}, Node {m.Node}, " +
                      $"PeerJS server {m.PeerJs}, open file limit {m.OpenFileLimit:N0}, load average {m.LoadAverageAtStart:N2} at the start, " +
                      $"benchmark processes at nice {m.Nice}. " +
                      $"{r.Plan.LoadProcesses} load processes over {r.Plan.SourceAddresses} loopback source addresses; {r.Plan.Users:N0} users, " +
                      $"{r.Plan.IdleUsers:N0} of them behind the idle connections (beyond that a user has several devices).");
        md.AppendLine();
        md.AppendLine(r.Tls
            ? "**Over TLS**: Peercall and the empty hub listen for HTTPS only and the load clients connect with wss (TLS 1.3, one " +
              "`SslStream` per connection), trusting the CA Peercall generated in its data folder. **PeerJS stays on plain ws**: " +
              "it has no TLS in this setup, so its rows are not like for like with Peercall's here."
            : "**Plain HTTP**: every server on ws, without TLS.");
        md.AppendLine();

        md.AppendLine("**Targets**");
        md.AppendLine();
        Table(md, ["Target", "Measured", "Met"], r.Targets.Select(t => new[] { t.Target, t.Measured, t.Met switch { true => "yes", false => "**no**", null => "n/a" } }));

        md.AppendLine("**Peercall / PeerJS** (below 1: Peercall uses less or is faster)");
        md.AppendLine();
        var ratioRows = new List<string[]>();
        if (r.Ratios.KbPerConnection is { } kb) ratioRows.Add(["Memory per idle connection (RSS growth / connections)", F(kb, 2)]);
        if (r.Ratios.MarginalKbPerConnection is { } marginal) ratioRows.Add(["Memory per added connection (last step)", F(marginal, 2)]);
        ratioRows.AddRange(r.Ratios.Relay.Select(p => new[] { $"Relay latency {p.Key}", F(p.Value, 2) }));
        Table(md, ["Figure", "Ratio"], ratioRows);

        md.AppendLine("**1. Idle connections**");
        md.AppendLine();
        Table(md, ["Server", "Connections", "Open", "Connects/s", "Ramp CPU (server / load)", "RSS MB", "KB per connection", "KB per added connection", "Idle CPU", "Files", "Other processes' CPU"],
            new[] { r.Peercall, r.EmptyHub, r.PeerJs }.Where(s => s.Idle.Count > 0).SelectMany(s => new[] { new[] { s.Name, "0", "0", "", "", F(s.BaselineRssKb / 1024.0, 0), "", "", "", "", "" } }
                .Concat(s.Idle.Select(i => new[]
                {
                    s.Name, i.Connections.ToString("N0"), i.Open.ToString("N0"), F(i.ConnectsPerSecond, 0),
                    $"{i.RampCpuPercent:N0}% / {i.LoadCpuPercent:N0}%", F(i.RssKb / 1024.0, 0), F(i.KbPerConnection, 1),
                    F(i.MarginalKbPerConnection, 1), $"{i.CpuPercent:N1}%", i.OpenFiles.ToString("N0"), $"{i.OtherCpuPercent:N0}%",
                }))));

        md.AppendLine("**2. Signal relay** (latency in ms, sender to receiver)");
        md.AppendLine();
        Table(md, ["Server", "Signals/s", "Open", "Pairs", "Sent", "Lost", "Errors", "p50", "p95", "p99", "p99.9", "max", "CPU server / load / others"],
            new[] { r.Peercall, r.PeerJs }.SelectMany(s => s.Relay.Select(x => new[]
            {
                s.Name, x.Rate.ToString("N0"), x.OpenConnections.ToString("N0"), x.Pairs.ToString(), x.Sent.ToString("N0"),
                (x.Sent - x.Received).ToString("N0"), x.Errors.ToString("N0"), F(x.Latency.P50, 2), F(x.Latency.P95, 2),
                F(x.Latency.P99, 2), F(x.Latency.P999, 2), F(x.Latency.Max, 1),
                $"{x.ServerCpuPercent:N0}% / {x.LoadCpuPercent:N0}% / {x.OtherCpuPercent:N0}%",
            })));

        md.AppendLine("**3. Presence fan-out** (ms from the action to the last watcher's PresenceChanged)");
        md.AppendLine();
        Table(md, ["Watchers", "Change", "Repeats", "p50", "p99", "max", "Missed events"], r.Peercall.FanOut.Select(f => new[]
        {
            f.Watchers.ToString("N0"), f.Change, f.Repeats.ToString(), F(f.Latency.P50, 1), F(f.Latency.P99, 1), F(f.Latency.Max, 1), f.Missed.ToString("N0"),
        }));

        if (r.Peercall.Calls is { } calls)
        {
            md.AppendLine("**4. Call requests under load** (ms)");
            md.AppendLine();
            Table(md, ["Rate", "Open", "Placed", "Rang", "POST → IncomingCall p50", "p95", "p99", "max", "POST answered p50", "p99", "Errors"],
            [[
                $"{calls.Rate}/s", calls.OpenConnections.ToString("N0"), $"{calls.Placed}/{calls.Attempts}", calls.Rang.ToString(),
                F(calls.Ring.P50, 1), F(calls.Ring.P95, 1), F(calls.Ring.P99, 1), F(calls.Ring.Max, 1), F(calls.Post.P50, 1), F(calls.Post.P99, 1),
                calls.Errors.Count == 0 ? "none" : string.Join("; ", calls.Errors.Select(e => $"{e.Value}x {e.Key}")),
            ]]);
        }

        if (r.Peercall.Storm is { } storm)
        {
            md.AppendLine("**5. Reconnect storm** (server restarted with the clients connected; seconds)");
            md.AppendLine();
            Table(md, ["Clients", "Stop", "Start", "Reconnect after start", "All back after the stop signal", "Back", "Given up", "Attempts", "Reconnected into the stopping server", "Online / expected", "Wrongly online", "Presence right after", "Errors"],
            [[
                storm.Clients.ToString("N0"), F(storm.ShutdownSeconds, 1), F(storm.StartSeconds, 1), F(storm.ReconnectSeconds, 1),
                F(storm.AllBackSeconds, 1), storm.Back.ToString("N0"), storm.GivenUp.ToString("N0"), storm.Attempts.ToString("N0"), storm.EarlyReconnects.ToString("N0"),
                $"{storm.UsersOnline:N0} / {storm.UsersExpectedOnline:N0}", storm.UsersWronglyOnline.ToString(), $"{storm.PresenceCheckSeconds:N1} s",
                storm.Errors.Count == 0 ? "none" : string.Join("; ", storm.Errors.Select(e => $"{e.Value}x {e.Key}")),
            ]]);
        }

        if (r.Peercall.FdCeiling is { } fd)
        {
            md.AppendLine("**At the file limit** (Peercall)");
            md.AppendLine();
            Table(md, ["Open before", "Files before", "Tried", "What the extra clients saw", "Files at peak", "Existing answered", "/healthz", "CPU at the limit", "After release", "Log lines"],
            [[
                fd.OpenBefore.ToString("N0"), fd.OpenFilesBefore.ToString("N0"), fd.Extra.ToString("N0"),
                string.Join("; ", fd.Outcomes.Select(o => $"{o.Value}x {o.Key}")), fd.OpenFilesAtPeak.ToString("N0"),
                $"{fd.ExistingAnswered}/{fd.ExistingAsked}", $"{fd.HealthStatus} in {fd.HealthMs:N0} ms", $"{fd.ServerCpuPercentAtCeiling:N0}%",
                fd.AfterRelease, fd.LogLinesAboutFiles.ToString(),
            ]]);
            foreach (var line in fd.LogSamples) md.AppendLine($"    {line}");
            if (fd.LogSamples.Count > 0) md.AppendLine();
        }

        var closes = r.Peercall.UnexpectedCloses.Concat(r.PeerJs.UnexpectedCloses).Concat(r.EmptyHub.UnexpectedCloses).ToList();
        md.AppendLine(closes.Count == 0
            ? "No connection was closed by a server during the idle, relay and call scenarios."
            : "Connections closed by a server outside the restart: " + string.Join("; ", closes.Select(c => $"{c.Value}x {c.Key}")));
        md.AppendLine();

        if (chartFolder is not null)
        {
            md.AppendLine($"![Server memory against idle connections]({chartFolder}/memory{r.Suffix}.png)");
            md.AppendLine();
            md.AppendLine($"![Signal relay latency by percentile]({chartFolder}/latency{r.Suffix}.png)");
        }
        return md.ToString();
    }

    /// <summary>Replaces what stands between two markers of the README (by default the single-server results').</summary>
    public static void UpdateReadme(string readme, string results, string startMarker = Start, string endMarker = End)
    {
        var text = File.ReadAllText(readme);
        var start = text.IndexOf(startMarker, StringComparison.Ordinal);
        var end = text.IndexOf(endMarker, StringComparison.Ordinal);
        if (start < 0 || end < start) throw new InvalidOperationException($"{readme} has no {startMarker} … {endMarker} section.");
        File.WriteAllText(readme, text[..(start + startMarker.Length)] + "\n" + results.TrimEnd() + "\n" + text[end..]);
    }

    public static void Table(StringBuilder md, string[] header, IEnumerable<string[]> rows)
    {
        md.AppendLine("| " + string.Join(" | ", header) + " |");
        md.AppendLine("|" + string.Concat(header.Select(_ => " --- |")));
        foreach (var row in rows) md.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|"))) + " |");
        md.AppendLine();
    }

    public static string F(double value, int decimals) =>
        double.IsNaN(value) ? "–" : value.ToString("N" + decimals, CultureInfo.InvariantCulture);
}
