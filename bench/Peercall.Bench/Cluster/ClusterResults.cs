using Peercall.Bench.Reporting;

namespace Peercall.Bench.Cluster;

/// <summary>Everything one cluster run measured; written as JSON and drawn as the README's cluster section.</summary>
public sealed record ClusterResults(
    string Mode,
    string Command,
    DateTimeOffset StartedAt,
    double DurationSeconds,
    MachineInfo Machine,
    ClusterPlan Plan,
    ClusterSetup Setup,
    IReadOnlyList<ClusterStep> Steps,
    IReadOnlyList<PlacedRelayRun> Relay,
    IReadOnlyList<FanOutRun> FanOut,
    NodeKillRun? Kill,
    Dictionary<string, int> UnexpectedCloses,
    IReadOnlyList<NodeLog> Logs,
    IReadOnlyList<TargetCheck> Targets);

public sealed record ClusterPlan(int Nodes, int[] Steps, int RelayPairs, int[] RelayRates, double RelaySeconds,
    int FanOutRepeats, int Users, int IdleUsers, int LoadProcesses, int SourceAddresses, int[] PayloadBytes);

/// <param name="StartSeconds">From starting PostgreSQL until every node answered /healthz.</param>
/// <param name="UsersSeconds">Registering and signing in every user through node 1's REST API.</param>
/// <param name="BaselineRssKb">Each node's RSS before any connection, freshly started.</param>
public sealed record ClusterSetup(string Postgres, string Redis, double StartSeconds, int Users, double UsersSeconds,
    long[] BaselineRssKb, long RedisUsedKbBefore);

/// <param name="RampCpuPercent">All nodes together while the connections were opened, in percent of one core.</param>
/// <param name="RedisUsedKb">Redis's own count of the memory it uses, at this step.</param>
public sealed record ClusterStep(int Connections, int Open, int Failed, double RampSeconds, double ConnectsPerSecond,
    double RampCpuPercent, double LoadCpuPercent, double OtherCpuPercent, IReadOnlyList<NodeStep> Nodes, long RedisUsedKb,
    long RedisRssKb, Dictionary<string, int> Errors);

/// <param name="KbPerConnection">(RSS now - RSS before any connection) / the connections this node holds.</param>
public sealed record NodeStep(string Node, int Open, long RssKb, double KbPerConnection, double IdleCpuPercent, int OpenFiles);

/// <param name="Placement">"same node": both ends of each pair on one node; "cross node": on two different nodes.</param>
public sealed record PlacedRelayRun(string Placement, RelayRun Run);

/// <param name="OfflineEverywhereSeconds">From the SIGKILL until node 1's contact list showed none of the killed
/// node's users online.</param>
/// <param name="LastWatcherSeconds">From the SIGKILL until the last watcher on the other nodes had the event that
/// one of its users went offline.</param>
/// <param name="SurvivorsWronglyOffline">The most users of the surviving nodes that node 1's contact list showed
/// offline at once in the 30 s after the kill: they all stayed connected, so anything above 0 is wrong.</param>
public sealed record NodeKillRun(string Node, int ConnectionsOnNode, int UsersOnNode, int Watchers, int WatchersSeen,
    double LastWatcherSeconds, double OfflineEverywhereSeconds, int StillOnlineAtEnd, int SurvivingUsers,
    int SurvivorsWronglyOffline, double FirstWronglyOfflineSeconds);

/// <summary>Warnings and errors a node logged during the run, counted by their first line.</summary>
public sealed record NodeLog(string Node, int Warnings, int Errors, Dictionary<string, int> Samples);
