using System.Text.Json;
using System.Text.Json.Serialization;

namespace Peercall.Bench.Load;

/// <summary>
/// How the coordinator drives its load processes: one JSON request per line on the worker's standard input, one
/// JSON reply per line on its standard output, and progress lines in between. Timestamps are
/// <see cref="System.Diagnostics.Stopwatch"/> ticks, which on Linux read the machine-wide monotonic clock, so
/// times taken in different processes compare directly.
/// </summary>
public static class WorkerProtocol
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public const string Init = "init", Grow = "grow", Shrink = "shrink", Status = "status", Watch = "watch",
        WatchWait = "watch-wait", RelaySetup = "relay-setup", RelayRun = "relay-run", RelayTeardown = "relay-teardown",
        CallsSetup = "calls-setup", CallsRun = "calls-run", CallsTeardown = "calls-teardown", StormArm = "storm-arm",
        StormWait = "storm-wait", Probe = "probe", ProbeCheck = "probe-check", ProbeRelease = "probe-release",
        Quit = "quit";

    /// <summary>Open idle connections per node of a cluster run.</summary>
    public const string NodesOpen = "nodes-open";
}

public sealed record WorkerRequest(int Id, string Op, JsonElement Args);

public sealed record WorkerReply(int Id, JsonElement? Result = null, string? Error = null, WorkerProgress? Progress = null);

public sealed record WorkerProgress(int Open, int Failed, int Pending);

public enum TargetServer
{
    Peercall,
    PeerJs,

    /// <summary>The empty SignalR hub of <c>bench/floor</c> (mode C): the floor under Peercall's memory.</summary>
    EmptyHub,
}

/// <summary>One user the bench signed in: its id and a long-lived access token.</summary>
public sealed record BenchUser(Guid Id, string Username, string AccessToken);

/// <param name="Ports">The server's port, or in a cluster run every node's: idle connection g goes to node g % Ports.Length.</param>
/// <param name="IdleUserOffset">Idle connection g belongs to user IdleUserOffset + g % IdleUserCount.</param>
/// <param name="KeepAliveSeconds">A ping (Peercall) or heartbeat (PeerJS) every so often per connection, as
/// each server's own client does.</param>
/// <param name="AuthorityFile">Set when the server listens for HTTPS: the CA certificate to trust for wss and
/// HTTPS (see <see cref="ServerTls"/>).</param>
public sealed record InitArgs(int WorkerIndex, int WorkerCount, TargetServer Target, int[] Ports, string? UsersFile,
    int IdleUserOffset, int IdleUserCount, int SourceAddresses, int KeepAliveSeconds, string? AuthorityFile = null);

/// <summary>Open idle connections until the run holds <paramref name="Total"/> across all workers.</summary>
public sealed record GrowArgs(int Total, int Concurrency, double TimeoutSeconds);

public sealed record GrowResult(int Opened, int Failed, Dictionary<string, int> Errors, int Open, long FirstTs, long LastTs);

public sealed record ShrinkArgs(int Total);

public sealed record StatusResult(int Open, int UnexpectedCloses, Dictionary<string, int> CloseReasons, long MessagesReceived);

public sealed record WatchArgs(Guid UserId, string Presence, int Sequence);

public sealed record WatchWaitArgs(int Sequence, double TimeoutSeconds);

public sealed record WatchResult(int Expected, int Seen, long LastTs);

/// <param name="CallerNode">In a cluster run, the index of the node the caller connects to; the callee's likewise.</param>
public sealed record UserPair(int CallerUser, int CalleeUser, int CallerNode = 0, int CalleeNode = 0);

/// <summary>Pairs for the relay: for Peercall, users who call each other; for PeerJS only their count matters.</summary>
public sealed record RelaySetupArgs(UserPair[] Pairs);

public sealed record RelayRunArgs(int Rate, double Seconds, double WarmupSeconds, double DrainSeconds);

/// <summary>Latencies in microseconds, per kind of signal.</summary>
/// <param name="FirstError">The first error the hub answered a signal with, to tell why signals failed.</param>
public sealed record RelayRunResult(int Sent, int Received, int Errors, int[] Offer, int[] Answer, int[] Candidate,
    double SendSeconds, string? FirstError);

public sealed record CallsSetupArgs(UserPair[] Pairs);

/// <param name="WarmupCount">Calls placed first, at the same rate, and not timed: the first calls after a start
/// also pay for compiling the server's queries and opening HTTP connections.</param>
public sealed record CallsRunArgs(int Rate, int Count, int WarmupCount, double TimeoutSeconds);

/// <summary>Times in microseconds: from POST /api/calls to the callee's IncomingCall, and to the POST's answer.</summary>
public sealed record CallsRunResult(int Placed, int Rang, Dictionary<string, int> Errors, int[] Ring, int[] Post, double Seconds);

/// <param name="SinceTs">When the old server had exited: only connections made after it count as back.</param>
public sealed record StormWaitArgs(double TimeoutSeconds, long SinceTs);

/// <param name="EarlyReconnects">Reconnections that reached the old server while it was stopping.</param>
public sealed record StormResult(int Total, int Back, long FirstDownTs, long LastBackTs, int Attempts, int EarlyReconnects,
    Dictionary<string, int> Errors);

public sealed record ProbeArgs(int Extra, int Concurrency, double TimeoutSeconds);

public sealed record ProbeResult(int Tried, Dictionary<string, int> Outcomes);

public sealed record ProbeCheckArgs(int Connections, double TimeoutSeconds);

public sealed record ProbeCheckResult(int Asked, int Answered, double MaxMilliseconds, Dictionary<string, int> Answers);
