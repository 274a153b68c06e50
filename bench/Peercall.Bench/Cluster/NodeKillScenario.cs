using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Peercall.Bench.Load;
using Peercall.Bench.Scenarios;
using Peercall.Contracts.Contacts;

namespace Peercall.Bench.Cluster;

/// <summary>
/// The last node is killed with SIGKILL, as in a crash, with its connections open. The other nodes notice that
/// its heartbeat stopped and take its users offline. Measured from the kill: when the last watcher on the other
/// nodes had one of those users' PresenceChanged, and when node 1's contact list showed none of them online.
/// Then, for a while longer, that the users of the surviving nodes stay online: cleaning up after the dead node
/// must not make a live one miss its own heartbeats.
/// </summary>
public static class NodeKillScenario
{
    /// <summary>Apart from the fan-out scenario's own watches, which count up from 1.</summary>
    private const int WatchSequence = 1_000_000;

    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);

    /// <summary>Three node time-outs (10 s by default) after the kill, a live node taken for dead would show.</summary>
    private static readonly TimeSpan SurvivorsWatchedFor = TimeSpan.FromSeconds(30);

    public static async Task<NodeKillRun?> RunAsync(BenchContext context, PeercallCluster cluster)
    {
        var settings = context.Settings;
        var nodes = cluster.Nodes;
        var victim = nodes.Count - 1;
        // Idle user k owns connections k, k + IdleUsers, ...; with a user count that is a multiple of the node
        // count they all lie on node k % nodes, so the victim's users have no device anywhere else.
        if (settings.IdleUsers % nodes.Count != 0)
        {
            context.Log($"Node kill skipped: {settings.IdleUsers} idle users do not divide over {nodes.Count} nodes.");
            return null;
        }
        var open = await ClusterIdleScenario.OpenPerNodeAsync(context, nodes.Count);
        var idleUsers = Enumerable.Range(0, Math.Min(settings.IdleUsers, open.Sum())).ToList();
        var onVictim = idleUsers.Where(k => k % nodes.Count == victim).Select(k => context.Users[settings.IdleUserOffset + k].Id).ToHashSet();
        var onSurvivors = idleUsers.Where(k => k % nodes.Count != victim).Select(k => context.Users[settings.IdleUserOffset + k].Id).ToHashSet();
        var subject = context.Users[settings.IdleUserOffset + victim];
        var watchers = open.Sum() - open[victim];
        using var http = nodes[0].CreateHttpClient(TimeSpan.FromSeconds(30));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", context.Users[settings.PresenceSubject].AccessToken);

        await context.Fleet.AllAsync<object>(WorkerProtocol.Watch, new WatchArgs(subject.Id, "offline", WatchSequence), TimeSpan.FromMinutes(1));
        context.Log($"Killing {nodes[victim].Name} (SIGKILL) with {open[victim]:N0} connections of {onVictim.Count:N0} users");
        var start = Stopwatch.GetTimestamp();
        await nodes[victim].KillAsync();
        var (offlineSeconds, stillOnline) = await WaitUntilOfflineAsync(http, onVictim, start);
        // The watchers had the event when Redis dropped the user, before the list showed the last one offline. The
        // victim's own watchers are gone, so the watch never completes: a few seconds more collect any stragglers.
        var seen = await context.Fleet.AllAsync<WatchResult>(WorkerProtocol.WatchWait, new WatchWaitArgs(WatchSequence, 5),
            TimeSpan.FromMinutes(1));
        var last = seen.Max(s => s.LastTs);
        var (wronglyOffline, firstWrongSeconds) = await WatchSurvivorsAsync(http, onSurvivors, start);

        var run = new NodeKillRun(nodes[victim].Name, open[victim], onVictim.Count, watchers, seen.Sum(s => s.Seen),
            last == 0 ? double.NaN : BenchContext.Milliseconds(start, last) / 1000, offlineSeconds, stillOnline,
            onSurvivors.Count, wronglyOffline, firstWrongSeconds);
        context.Log($"{run.Node} killed: the last of {run.WatchersSeen:N0}/{watchers:N0} watchers saw its user offline after " +
                    $"{run.LastWatcherSeconds:N1} s; node 1 listed all {run.UsersOnNode:N0} of its users offline after {offlineSeconds:N1} s" +
                    (stillOnline > 0 ? $" ({stillOnline} still online when it gave up)" : "") +
                    $"; users of the other nodes shown offline meanwhile: at most {wronglyOffline:N0} of {onSurvivors.Count:N0}" +
                    (wronglyOffline > 0 ? $", first {firstWrongSeconds:N1} s after the kill" : ""));
        return run;
    }

    /// <summary>Reads node 1's contact list until none of <paramref name="users"/> is online; returns the seconds
    /// since <paramref name="start"/>, and how many were still online if that never happened.</summary>
    private static async Task<(double Seconds, int StillOnline)> WaitUntilOfflineAsync(HttpClient http, HashSet<Guid> users, long start)
    {
        var online = users.Count;
        while (Stopwatch.GetElapsedTime(start) < GiveUpAfter)
        {
            online = (await OnlineAsync(http)).Count(users.Contains);
            if (online == 0) return (BenchContext.Milliseconds(start, Stopwatch.GetTimestamp()) / 1000, 0);
            await Task.Delay(250);
        }
        return (double.NaN, online);
    }

    /// <summary>Reads node 1's contact list until <see cref="SurvivorsWatchedFor"/> after the kill; returns the most
    /// of <paramref name="users"/> (all connected to live nodes) it ever showed offline, and when it first did.</summary>
    private static async Task<(int Most, double FirstSeconds)> WatchSurvivorsAsync(HttpClient http, HashSet<Guid> users, long start)
    {
        var most = 0;
        var first = double.NaN;
        while (Stopwatch.GetElapsedTime(start) < SurvivorsWatchedFor)
        {
            var online = await OnlineAsync(http);
            var offline = users.Count(u => !online.Contains(u));
            if (offline > 0 && most == 0) first = BenchContext.Milliseconds(start, Stopwatch.GetTimestamp()) / 1000;
            most = Math.Max(most, offline);
            await Task.Delay(500);
        }
        return (most, first);
    }

    /// <summary>Everyone the contact list shows online: it is sorted online first, so the pages up to the first
    /// offline contact.</summary>
    private static async Task<HashSet<Guid>> OnlineAsync(HttpClient http)
    {
        var online = new HashSet<Guid>();
        for (var page = 1; ; page++)
        {
            var contacts = (await http.GetFromJsonAsync<Page<Contact>>($"api/users?page={page}&pageSize=200", HubJson.Options))!;
            online.UnionWith(contacts.Items.Where(c => c.Presence != Presence.Offline).Select(c => c.Id));
            if (contacts.Items.Any(c => c.Presence == Presence.Offline) || page * contacts.PageSize >= contacts.TotalCount) return online;
        }
    }
}
