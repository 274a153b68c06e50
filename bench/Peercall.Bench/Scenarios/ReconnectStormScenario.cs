using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Peercall.Bench.Load;
using Peercall.Bench.Reporting;
using Peercall.Bench.Servers;
using Peercall.Contracts.Contacts;

namespace Peercall.Bench.Scenarios;

/// <summary>
/// Scenario 5: the server restarts (SIGTERM, then started again on the same data) with the clients connected.
/// The clients reconnect on their own with the backoff of <c>Peercall.Client.BackoffRetryPolicy</c>. Measured:
/// the time until every client is connected again, and then whether the contact list shows exactly the users
/// with a connection as online.
/// </summary>
public static class ReconnectStormScenario
{
    public static async Task RunAsync(BenchContext context, PeercallServer server, ServerResults results)
    {
        var settings = context.Settings;
        await IdleScenario.ShrinkAsync(context, settings.StormClients);
        await BenchContext.SettleAsync(server, TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(5));
        var clients = await context.OpenConnectionsAsync();
        await context.Fleet.AllAsync<object>(WorkerProtocol.StormArm, new { }, TimeSpan.FromMinutes(1));

        context.Log($"Restarting Peercall with {clients:N0} clients connected");
        var start = Stopwatch.GetTimestamp();
        await server.StopAsync(TimeSpan.FromSeconds(60));
        var stopped = Stopwatch.GetTimestamp();
        await server.StartAsync(TimeSpan.FromMinutes(2));
        var ready = Stopwatch.GetTimestamp();
        context.Fleet.ResetProgress();
        StormResult[] storm;
        using (context.Progress(() =>
               {
                   var p = context.Fleet.Progress();
                   return $"reconnect storm: {p.Open:N0} back, {p.Pending:N0} to go, {p.Failed:N0} attempts";
               }))
        {
            storm = await context.Fleet.AllAsync<StormResult>(WorkerProtocol.StormWait,
                new StormWaitArgs(settings.StormTimeoutSeconds, stopped), TimeSpan.FromSeconds(settings.StormTimeoutSeconds + 60));
        }
        var back = storm.Sum(s => s.Back);
        var lastBack = storm.Max(s => s.LastBackTs);
        var errors = storm.SelectMany(s => s.Errors).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));

        // The contact list is paged and sorted online first, so it reads true only once presence has stopped
        // moving: read it until it is right, for up to a minute.
        var presenceWatch = Stopwatch.StartNew();
        var (online, expected, wrong) = await CheckPresenceAsync(context, server, Math.Min(clients, settings.IdleUsers));
        while ((online != expected || wrong != 0) && presenceWatch.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(1000);
            (online, expected, wrong) = await CheckPresenceAsync(context, server, Math.Min(clients, settings.IdleUsers));
        }
        var run = new StormRun(clients, BenchContext.Milliseconds(start, stopped) / 1000, BenchContext.Milliseconds(stopped, ready) / 1000,
            lastBack == 0 ? double.NaN : BenchContext.Milliseconds(start, lastBack) / 1000,
            lastBack == 0 ? double.NaN : BenchContext.Milliseconds(ready, lastBack) / 1000,
            back, clients - back, storm.Sum(s => s.Attempts), storm.Sum(s => s.EarlyReconnects), errors, online, expected, wrong,
            presenceWatch.Elapsed.TotalSeconds);
        results.Storm = run;
        context.Log($"Reconnect storm of {clients:N0}: all back {run.AllBackSeconds:N1} s after the stop signal (stop {run.ShutdownSeconds:N1} s, " +
                    $"start {run.StartSeconds:N1} s, reconnect {run.ReconnectSeconds:N1} s); {back:N0} back, {run.GivenUp} given up, " +
                    $"{run.Attempts:N0} attempts, {run.EarlyReconnects:N0} reconnected into the stopping server; presence: {online:N0}/{expected:N0} online, {wrong} wrongly online, " +
                    $"{run.PresenceCheckSeconds:N1} s after all were back");
        foreach (var (error, count) in errors) context.Log($"  {count}x {error}");
    }

    /// <summary>Reads every page of the contact list as the presence subject sees it: the idle users with a
    /// connection must be online, and the scenario users (all disconnected by now) offline.</summary>
    private static async Task<(int Online, int Expected, int Wrong)> CheckPresenceAsync(BenchContext context,
        PeercallServer server, int idleUsersConnected)
    {
        var settings = context.Settings;
        var expectedOnline = Enumerable.Range(settings.IdleUserOffset, idleUsersConnected).Select(i => context.Users[i].Id).ToHashSet();
        using var http = server.CreateHttpClient(TimeSpan.FromMinutes(2));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", context.Users[settings.PresenceSubject].AccessToken);
        int online = 0, wrong = 0;
        for (var page = 1; ; page++)
        {
            var contacts = await http.GetFromJsonAsync<Page<Contact>>($"api/users?page={page}&pageSize=200", HubJson.Options);
            foreach (var contact in contacts!.Items)
            {
                var isOnline = contact.Presence != Presence.Offline;
                if (isOnline && expectedOnline.Contains(contact.Id)) online++;
                else if (isOnline) wrong++;
            }
            if (page * contacts.PageSize >= contacts.TotalCount) break;
        }
        return (online, expectedOnline.Count, wrong);
    }
}
