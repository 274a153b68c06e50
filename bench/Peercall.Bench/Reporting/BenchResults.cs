namespace Peercall.Bench.Reporting;

/// <summary>Everything one run measured; written as JSON and drawn as the README's tables and charts.</summary>
public sealed record BenchResults(
    string Mode,
    string Command,
    DateTimeOffset StartedAt,
    double DurationSeconds,
    MachineInfo Machine,
    BenchPlan Plan,
    bool Tls,
    ServerResults Peercall,
    ServerResults PeerJs,
    ServerResults EmptyHub,
    Ratios Ratios,
    IReadOnlyList<TargetCheck> Targets)
{
    /// <summary>Appended to the names of a TLS run's files (<c>full-tls.json</c>, <c>memory-tls.png</c>), so that
    /// the plain and the TLS run's results stand side by side.</summary>
    public string Suffix => Tls ? "-tls" : "";
}

/// <param name="Nice">The priority the run's processes had: -10 when it could raise it, else 0.</param>
public sealed record MachineInfo(string Cpu, int Cores, double MemoryGiB, string Os, string Kernel, string Dotnet,
    string Node, string PeerJs, int OpenFileLimit, double LoadAverageAtStart, int Nice);

public sealed record BenchPlan(int[] Steps, int[] FanOutWatchers, int RelayAt, int RelayPairs, int[] RelayRates,
    double RelaySeconds, int CallRate, int CallCount, int StormClients, int Users, int IdleUsers, int LoadProcesses,
    int SourceAddresses, int[] PayloadBytes);

public sealed record ServerResults(string Name)
{
    public long BaselineRssKb { get; set; }
    public List<IdleStep> Idle { get; } = [];
    public List<RelayRun> Relay { get; } = [];
    public List<FanOutRun> FanOut { get; } = [];
    public CallsRun? Calls { get; set; }
    public StormRun? Storm { get; set; }
    public FdCeilingRun? FdCeiling { get; set; }
    public Dictionary<string, int> UnexpectedCloses { get; set; } = [];
}

/// <param name="KbPerConnection">(RSS at this step - RSS before any connection) / connections.</param>
/// <param name="MarginalKbPerConnection">The growth of RSS from the previous step, per added connection.</param>
/// <param name="CpuPercent">The server's CPU while the connections sat idle, in percent of one core.</param>
/// <param name="RampCpuPercent">The server's CPU while the connections were opened.</param>
/// <param name="LoadCpuPercent">The load processes' CPU while the connections were opened.</param>
/// <param name="OtherCpuPercent">CPU used by unrelated processes on the machine, the larger of the ramp's and the
/// idle window's: a high figure means the step was measured on a busy machine.</param>
public sealed record IdleStep(int Connections, int Open, int Failed, double RampSeconds, double ConnectsPerSecond,
    long RssKb, double KbPerConnection, double MarginalKbPerConnection, double CpuPercent, double RampCpuPercent,
    double LoadCpuPercent, double OtherCpuPercent, int OpenFiles, Dictionary<string, int> Errors);

public sealed record RelayRun(int Rate, int OpenConnections, int Pairs, int Sent, int Received, int Errors,
    double AchievedRate, LatencySummary Latency, Dictionary<string, LatencySummary> ByKind, LatencyCurve Curve,
    double ServerCpuPercent, double LoadCpuPercent, double OtherCpuPercent, string? FirstError);

/// <param name="Latency">Time from the action to the last watcher's event, over the repeats.</param>
public sealed record FanOutRun(int Watchers, string Change, int Repeats, LatencySummary Latency, int Missed);

public sealed record CallsRun(int Rate, int Attempts, int Placed, int Rang, LatencySummary Ring, LatencySummary Post,
    Dictionary<string, int> Errors, int OpenConnections);

/// <param name="AllBackSeconds">From the stop signal until every client was connected again.</param>
/// <param name="ReconnectSeconds">From the new server being ready until every client was connected again.</param>
/// <param name="EarlyReconnects">Clients that reconnected into the old server while it was stopping, and lost it again.</param>
/// <param name="PresenceCheckSeconds">From every client being back until the contact list showed exactly them
/// online (or a minute, when it never did).</param>
public sealed record StormRun(int Clients, double ShutdownSeconds, double StartSeconds, double AllBackSeconds,
    double ReconnectSeconds, int Back, int GivenUp, int Attempts, int EarlyReconnects, Dictionary<string, int> Errors,
    int UsersOnline, int UsersExpectedOnline, int UsersWronglyOnline, double PresenceCheckSeconds);

public sealed record FdCeilingRun(int OpenBefore, int OpenFilesBefore, int Extra, Dictionary<string, int> Outcomes,
    int OpenFilesAtPeak, int ExistingAsked, int ExistingAnswered, double ExistingSlowestMs,
    Dictionary<string, int> ExistingAnswers, double HealthMs, string HealthStatus, string AfterRelease,
    double ServerCpuPercentAtCeiling, int LogLinesAboutFiles, IReadOnlyList<string> LogSamples);

/// <summary>Peercall / PeerJS: below 1 means Peercall uses less memory or is faster.</summary>
public sealed record Ratios(double? KbPerConnection, double? MarginalKbPerConnection, Dictionary<string, double> Relay);

public sealed record TargetCheck(string Target, string Measured, bool? Met);
