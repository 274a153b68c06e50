namespace Peercall.Bench;

/// <summary>What one run measures and how hard. <see cref="Quick"/> is a smoke test of every scenario in under
/// two minutes; <see cref="Full"/> measures the targets of issue 5. With <c>--nodes N</c> the run is of a cluster
/// instead (<see cref="ClusterQuick"/>, <see cref="ClusterFull"/>: issue 6).</summary>
public sealed record BenchSettings
{
    public required string Mode { get; init; }

    /// <summary>Idle connection counts, in order; the last is the top of the run.</summary>
    public required int[] Steps { get; init; }

    /// <summary>The steps at which presence fan-out is measured (the watchers are that step's connections).</summary>
    public required int[] FanOutAt { get; init; }

    public required int FanOutRepeats { get; init; }

    /// <summary>The step at which signals are relayed and calls placed.</summary>
    public required int RelayAt { get; init; }

    public required int RelayPairs { get; init; }
    public required int[] RelayRates { get; init; }
    public required double RelaySeconds { get; init; }
    public required double RelayWarmupSeconds { get; init; }

    public required int CallPairs { get; init; }
    public required int CallRate { get; init; }
    public required int CallCount { get; init; }

    public required int StormClients { get; init; }
    public required double StormTimeoutSeconds { get; init; }

    /// <summary>Connections tried beyond the top step to meet the file limit; 0 skips the probe.</summary>
    public required int FdProbeExtra { get; init; }

    /// <summary>Distinct users behind the idle connections; beyond this count a user has several devices.</summary>
    public required int IdleUsers { get; init; }

    /// <summary>How long a step sits idle before it is measured, and how long its CPU is averaged.</summary>
    public required double SettleSeconds { get; init; }
    public required double CpuWindowSeconds { get; init; }

    /// <summary>Server nodes: 1 is the single-server run against PeerJS; more is a cluster run on PostgreSQL and Redis.</summary>
    public int Nodes { get; init; } = 1;

    public bool IsCluster => Nodes > 1;

    public int LoadProcesses { get; init; } = 4;
    public int SourceAddresses { get; init; } = 8;

    /// <summary>Connection attempts in flight per load process while ramping up.</summary>
    public int ConnectConcurrency { get; init; } = 32;

    public bool RunPeerJs { get; init; } = true;

    /// <summary>Peercall (and the empty hub beside it) listen for HTTPS only, and the load clients connect with
    /// wss, trusting the certificate authority Peercall made. PeerJS stays on plain HTTP.</summary>
    public bool Tls { get; init; }

    /// <summary>The connections at which the empty SignalR hub's memory is measured, Peercall's floor; 0 skips it.</summary>
    public required int EmptyHubAt { get; init; }
    public bool UseUserCache { get; init; } = true;
    public bool UpdateReadme { get; init; }
    public string? OutputFolder { get; init; }

    /// <summary>When set, the run stops after Peercall's last idle step and keeps the server there this long, for a
    /// profiler to attach; it writes no results.</summary>
    public int? HoldSeconds { get; init; }

    /// <summary>Environment variables added to Peercall's process only, for example a garbage collector setting
    /// to compare (<c>--server-env DOTNET_GCgen0size=0x400000</c>).</summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>The scenarios to run besides the idle steps; all of them unless narrowed with --scenarios.</summary>
    public IReadOnlySet<string> Scenarios { get; init; } = AllScenarios;

    /// <summary>"kill" (SIGKILL of a node) runs only in a cluster run; "calls", "storm" and "ceiling" only on one server.</summary>
    public static readonly IReadOnlySet<string> AllScenarios = new HashSet<string> { "fanout", "relay", "calls", "storm", "ceiling", "kill" };

    public bool Runs(string scenario) => Scenarios.Contains(scenario);

    /// <summary>Users in calls during the relay and call scenarios, and the one whose presence is watched, come
    /// first; the idle connections' users follow.</summary>
    public int RelayUserOffset => 0;

    /// <summary>A cluster run places no calls: these users are its cross-node relay pairs instead.</summary>
    public int CallUserOffset => RelayPairs * 2;
    public int PresenceSubject => CallUserOffset + CallPairs * 2;
    public int IdleUserOffset => PresenceSubject + 1;
    public int TotalUsers => IdleUserOffset + IdleUsers;

    public static BenchSettings Quick => new()
    {
        Mode = "quick",
        Steps = [1_000, 3_000],
        FanOutAt = [1_000, 3_000],
        FanOutRepeats = 5,
        RelayAt = 3_000,
        RelayPairs = 50,
        RelayRates = [1_000, 5_000],
        RelaySeconds = 3,
        RelayWarmupSeconds = 1,
        CallPairs = 10,
        CallRate = 20,
        CallCount = 60,
        StormClients = 3_000,
        StormTimeoutSeconds = 60,
        FdProbeExtra = 0,
        EmptyHubAt = 3_000,
        // Ten devices each at 3,000: the server's cap per account (Peercall:Signaling:MaxConnectionsPerUser).
        IdleUsers = 300,
        SettleSeconds = 2,
        CpuWindowSeconds = 3,
    };

    public static BenchSettings Full => new()
    {
        Mode = "full",
        Steps = [1_000, 5_000, 10_000, 19_000],
        FanOutAt = [1_000, 10_000],
        FanOutRepeats = 20,
        RelayAt = 10_000,
        RelayPairs = 100,
        RelayRates = [1_000, 5_000],
        RelaySeconds = 30,
        RelayWarmupSeconds = 3,
        CallPairs = 20,
        CallRate = 20,
        CallCount = 600,
        StormClients = 10_000,
        StormTimeoutSeconds = 300,
        FdProbeExtra = 1_500,
        EmptyHubAt = 10_000,
        IdleUsers = 10_000,
        SettleSeconds = 10,
        CpuWindowSeconds = 10,
        UpdateReadme = true,
    };

    /// <summary>Three nodes, a thousand connections each, every cluster scenario briefly.</summary>
    public static BenchSettings ClusterQuick => Quick with
    {
        Nodes = 3,
        Steps = [3_000],
        FanOutAt = [3_000],
        RelayAt = 3_000,
        RelayPairs = 30,
        CallPairs = 30,
        CallCount = 0,
        StormClients = 0,
        EmptyHubAt = 0,
        IdleUsers = 300,
        RunPeerJs = false,
        Scenarios = ClusterScenarios,
    };

    /// <summary>50,000 connections over three nodes (about 16,700 each, below a node's limit of 19,500), 100
    /// same-node and 100 cross-node relay pairs. The connections share 1,200 users (42 devices each), so creating
    /// the users through the API takes a minute or two instead of half an hour; a multiple of the node count, so
    /// each user's devices are all on one node and a killed node takes whole users offline.</summary>
    public static BenchSettings ClusterFull => Full with
    {
        Nodes = 3,
        Steps = [10_000, 30_000, 50_000],
        FanOutAt = [50_000],
        RelayAt = 50_000,
        CallPairs = 100,
        CallCount = 0,
        StormClients = 0,
        FdProbeExtra = 0,
        EmptyHubAt = 0,
        RelayWarmupSeconds = 10,
        IdleUsers = 1_200,
        RunPeerJs = false,
        Scenarios = ClusterScenarios,
    };

    public static readonly IReadOnlySet<string> ClusterScenarios = new HashSet<string> { "fanout", "relay", "kill" };

    private static BenchSettings Preset(string mode, int nodes) => (mode, nodes > 1) switch
    {
        ("quick", false) => Quick,
        ("full", false) => Full,
        ("quick", true) => ClusterQuick with { Nodes = nodes },
        ("full", true) => ClusterFull with { Nodes = nodes },
        _ => throw new ArgumentException($"Unknown mode '{mode}': quick or full."),
    };

    public static BenchSettings Parse(string[] args)
    {
        // The node count picks the presets, so it is read first wherever it stands.
        var at = Array.IndexOf(args, "--nodes");
        var nodes = at < 0 ? 1 : at + 1 < args.Length && int.TryParse(args[at + 1], out var n) && n >= 1
            ? n
            : throw new ArgumentException("--nodes needs a count of at least 1.");
        var settings = Preset("quick", nodes);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--mode" => Preset(Next(), nodes) with { RunPeerJs = settings.RunPeerJs, UseUserCache = settings.UseUserCache, Tls = settings.Tls },
                "--nodes" => settings with { Nodes = int.Parse(Next()) },
                "--no-peerjs" => settings with { RunPeerJs = false },
                "--tls" => settings with { Tls = true },
                "--no-floor" => settings with { EmptyHubAt = 0, UpdateReadme = false },
                "--no-user-cache" => settings with { UseUserCache = false },
                "--no-readme" => settings with { UpdateReadme = false },
                "--load-processes" => settings with { LoadProcesses = int.Parse(Next()) },
                "--out" => settings with { OutputFolder = Next() },
                "--steps" => settings with { Steps = [.. Next().Split(',').Select(int.Parse)], UpdateReadme = false },
                "--relay-at" => settings with { RelayAt = int.Parse(Next()), UpdateReadme = false },
                "--hold" => settings with { HoldSeconds = int.Parse(Next()), UpdateReadme = false },
                "--scenarios" => settings with { Scenarios = ParseScenarios(Next()), UpdateReadme = false },
                "--server-env" => settings with { ServerEnvironment = WithVariable(settings.ServerEnvironment, Next()), UpdateReadme = false },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Options: --mode quick|full, --nodes N, --no-peerjs, --tls, --no-floor, " +
                                                 "--no-user-cache, --no-readme, --load-processes N, --out FOLDER, --steps N,N,..., --relay-at N, --scenarios fanout,relay,calls,storm,ceiling,kill, " +
                                                 "--hold SECONDS, --server-env NAME=VALUE."),
            };
        }
        if (settings.IsCluster && settings.HoldSeconds is not null) throw new ArgumentException("--hold is for a single server, not --nodes.");
        if (settings.IsCluster && settings.Tls) throw new ArgumentException("--tls is for a single server, not --nodes.");
        if (args.Contains("--relay-at") && !settings.Steps.Contains(settings.RelayAt))
            throw new ArgumentException($"--relay-at {settings.RelayAt} is not one of the steps ({string.Join(", ", settings.Steps)}).");
        return settings;
    }

    private static Dictionary<string, string> WithVariable(IReadOnlyDictionary<string, string> variables, string assignment)
    {
        var (name, value) = assignment.Split('=', 2) is [var n, var v] && n.Length > 0
            ? (n, v)
            : throw new ArgumentException($"--server-env takes NAME=VALUE, not '{assignment}'.");
        return new Dictionary<string, string>(variables) { [name] = value };
    }

    private static HashSet<string> ParseScenarios(string list)
    {
        var chosen = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        if (chosen.Except(AllScenarios).FirstOrDefault() is { } unknown)
            throw new ArgumentException($"Unknown scenario '{unknown}': {string.Join(", ", AllScenarios)}.");
        return chosen;
    }
}
