namespace Peercall.Bench.Reporting;

/// <summary>The comparisons with PeerJS and the targets of issues 5 and 17, computed from a run's figures.</summary>
public static class Verdict
{
    public static Ratios Ratios(ServerResults peercall, ServerResults peerJs)
    {
        var top = Top(peercall, peerJs);
        double? Ratio(double? a, double? b) => a is { } x && b is { } y && y > 0 ? Math.Round(x / y, 3) : null;
        var relay = new Dictionary<string, double>();
        foreach (var run in peercall.Relay)
        {
            if (peerJs.Relay.FirstOrDefault(r => r.Rate == run.Rate) is not { } other) continue;
            if (Ratio(run.Latency.P50, other.Latency.P50) is { } p50) relay[$"p50 at {run.Rate}/s"] = p50;
            if (Ratio(run.Latency.P99, other.Latency.P99) is { } p99) relay[$"p99 at {run.Rate}/s"] = p99;
        }
        return new Ratios(Ratio(top.Peercall?.KbPerConnection, top.PeerJs?.KbPerConnection),
            Ratio(top.Peercall?.MarginalKbPerConnection, top.PeerJs?.MarginalKbPerConnection), relay);
    }

    /// <summary>Memory Peercall may add per idle connection over an empty SignalR hub's (issue 17).</summary>
    public const double OwnKbPerConnection = 10;

    public static IReadOnlyList<TargetCheck> Targets(BenchSettings settings, ServerResults peercall, ServerResults emptyHub)
    {
        var checks = new List<TargetCheck>();
        var top = peercall.Idle.LastOrDefault();
        if (top is not null)
            checks.Add(new($"{settings.Steps[^1]:N0} connections held on one server with no errors",
                $"{top.Open:N0} open, {top.Failed:N0} failed", top.Open >= settings.Steps[^1] && top.Failed == 0));
        if (emptyHub.Idle.LastOrDefault() is { } floor && peercall.Idle.FirstOrDefault(s => s.Connections == floor.Connections) is { } same)
        {
            var own = same.KbPerConnection - floor.KbPerConnection;
            checks.Add(new($"Memory per idle connection at {floor.Connections:N0}: the empty hub's floor + at most {OwnKbPerConnection:N0} KB",
                $"{same.KbPerConnection:N1} KB against {floor.KbPerConnection:N1} KB: {own:+0.0;-0.0} KB", own <= OwnKbPerConnection));
        }

        foreach (var run in peercall.Relay)
            checks.Add(new($"Relay p99 at most 5 ms at {run.Rate:N0}/s with {run.OpenConnections:N0} open", $"{run.Latency.P99:N2} ms",
                run.Latency.P99 <= 5 && run.Errors == 0 && run.Received == run.Sent));

        foreach (var run in peercall.FanOut.Where(f => f.Watchers >= settings.FanOutAt.Max() * 0.9))
            checks.Add(new($"Presence fan-out ({run.Change}) to {run.Watchers:N0}: last watcher within 300 ms (p99)",
                $"p99 {run.Latency.P99:N0} ms, {run.Missed} missed", run.Latency.P99 <= 300 && run.Missed == 0));

        if (peercall.Storm is { } storm)
            checks.Add(new($"Reconnect storm of {storm.Clients:N0}: all back with correct presence within 30 s, none given up",
                $"{storm.AllBackSeconds:N1} s, {storm.GivenUp} given up, {storm.UsersOnline:N0}/{storm.UsersExpectedOnline:N0} online, {storm.UsersWronglyOnline} wrongly",
                storm.AllBackSeconds < 30 && storm.GivenUp == 0 && storm.UsersOnline == storm.UsersExpectedOnline && storm.UsersWronglyOnline == 0));

        if (peercall.FdCeiling is { } ceiling)
        {
            var visible = ceiling.Outcomes.Keys.Where(k => k != "connected").All(k => k.StartsWith("HTTP "));
            checks.Add(new("At the file limit: refused clients see an error", string.Join("; ", ceiling.Outcomes.Select(o => $"{o.Value}x {o.Key}")), visible));
            checks.Add(new("At the file limit: existing connections keep being served, no spinning",
                $"{ceiling.ExistingAnswered}/{ceiling.ExistingAsked} answered, /healthz {ceiling.HealthStatus}, CPU {ceiling.ServerCpuPercentAtCeiling:N0}%, {ceiling.AfterRelease}",
                ceiling.ExistingAnswered == ceiling.ExistingAsked && ceiling.ServerCpuPercentAtCeiling < 50 && ceiling.AfterRelease.StartsWith("a new connection opens")));
            checks.Add(new("At the file limit: the log says so clearly", $"{ceiling.LogLinesAboutFiles} lines", ceiling.LogLinesAboutFiles > 0));
        }
        return checks;
    }

    private static (IdleStep? Peercall, IdleStep? PeerJs) Top(ServerResults peercall, ServerResults peerJs)
    {
        var shared = peercall.Idle.Select(s => s.Connections).Intersect(peerJs.Idle.Select(s => s.Connections)).DefaultIfEmpty(0).Max();
        return (peercall.Idle.FirstOrDefault(s => s.Connections == shared), peerJs.Idle.FirstOrDefault(s => s.Connections == shared));
    }
}
