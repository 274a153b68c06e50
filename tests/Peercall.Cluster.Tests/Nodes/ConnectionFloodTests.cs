using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Peercall.Cluster.Tests.Nodes;

/// <summary>
/// A stranger opens TCP connections to a node, up to and past what the node's open-file limit allows, and sends
/// nothing, or half a request line. The node must stay up, keep serving the realtime connections and calls it has,
/// close the stalled ones after its request-headers timeout, and serve newcomers again once the flood ends. The
/// node runs with a low open-file limit (prlimit) so that the flood takes seconds.
/// </summary>
public sealed class ConnectionFloodTests(ITestOutputHelper output)
{
    private const int OpenFileLimit = 2048;

    /// <summary>Kestrel's RequestHeadersTimeout on a node (10 s), its one-second timer and room for a busy machine.</summary>
    private static readonly TimeSpan StalledClosedWithin = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan NewcomerServedWithin = TimeSpan.FromSeconds(10);

    /// <summary>Files a node keeps free under any flood, whatever its reserve: the spare ones that let it open its
    /// database, a log file or a new socket. At its limit, a node cannot even accept the connection it would refuse.</summary>
    private const int FreeFilesAtLeast = 8;

    [Fact]
    public async Task Idle_connections_past_the_open_file_limit_neither_stop_the_node_nor_its_calls()
    {
        await using var node = await ServerNode.StartAsync(NodeName("idle-flood"), new Dictionary<string, string>(), OpenFileLimit);
        await using var call = await AcceptedCall.StartAsync(node);

        var openFiles = OpenFilesPeak.Watch(node);
        using (var flood = await Flood.OpenAsync(node, 2 * OpenFileLimit, firstBytes: null))
        {
            output.WriteLine($"{flood.Describe()}; the node held at most {openFiles.Peak} open files");
            AssertRunning(node, "during the flood");
            await call.AssertServedAsync("during the flood");
            AssertRunning(node, "during the flood");
        }

        await AssertNewcomerServedAsync(node);
        await call.AssertServedAsync("after the flood");
        AssertStillRunningWithoutFailures(node);
        AssertFilesInReserve(await openFiles.StopAsync());
    }

    [Fact]
    public async Task Connections_stalled_in_their_request_line_are_closed_after_the_request_headers_timeout()
    {
        await using var node = await ServerNode.StartAsync(NodeName("stalled-flood"), new Dictionary<string, string>(), OpenFileLimit);
        await using var call = await AcceptedCall.StartAsync(node);

        var openFiles = OpenFilesPeak.Watch(node);
        using (var flood = await Flood.OpenAsync(node, OpenFileLimit, firstBytes: "GET /healthz HT"u8.ToArray()))
        {
            output.WriteLine($"{flood.Describe()}; the node held at most {openFiles.Peak} open files");
            AssertRunning(node, "during the flood");
            await call.AssertServedAsync("during the flood");

            var closedAfter = await flood.ClosedByNodeAsync(StalledClosedWithin + TimeSpan.FromSeconds(5));
            var stillOpen = closedAfter.Count(t => t is null);
            var late = closedAfter.Count(t => t > StalledClosedWithin);
            var summary = $"of {closedAfter.Count} stalled connections, {stillOpen} were still open after " +
                          $"{(StalledClosedWithin + TimeSpan.FromSeconds(5)).TotalSeconds} s and {late} closed after more than " +
                          $"{StalledClosedWithin.TotalSeconds} s; the longest-held one closed after {closedAfter.Max()?.TotalSeconds.ToString("0.0") ?? "-"} s, " +
                          $"{closedAfter.Count(t => t > TimeSpan.FromSeconds(5))} were held past 5 s";
            output.WriteLine(summary);
            AssertRunning(node, "while the stalled connections were open");
            Assert.True(stillOpen == 0 && late == 0, $"The node should close stalled connections within {StalledClosedWithin.TotalSeconds} s: {summary}.");
        }

        await AssertNewcomerServedAsync(node);
        await call.AssertServedAsync("after the flood");
        AssertStillRunningWithoutFailures(node);
        AssertFilesInReserve(await openFiles.StopAsync());
    }

    /// <summary>Once the flood has gone, the node answers its health check, and a new user registers, signs in and
    /// connects, within <see cref="NewcomerServedWithin"/>.</summary>
    private async Task AssertNewcomerServedAsync(ServerNode node)
    {
        AssertRunning(node, "by the end of the flood");
        var started = Stopwatch.StartNew();
        var username = $"newcomer{Guid.NewGuid():N}"[..20];
        Exception? last = null;
        while (started.Elapsed < NewcomerServedWithin)
        {
            try
            {
                using var http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(3) };
                using var health = await http.GetAsync("healthz");
                if (health.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"/healthz answered {(int)health.StatusCode}");
                await using var newcomer = await Person.JoinAsync(node, username).WaitAsync(TimeSpan.FromSeconds(5));
                Assert.False(string.IsNullOrEmpty(await newcomer.Device.GetConnectionId()));
                output.WriteLine($"A newcomer was served {started.Elapsed.TotalSeconds:0.0} s after the flood ended.");
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException
                                          or System.Net.WebSockets.WebSocketException or Peercall.Client.PeercallApiException)
            {
                last = e;
                username = $"newcomer{Guid.NewGuid():N}"[..20];
                await Task.Delay(200);
            }
        }
        Assert.Fail($"No newcomer was served within {NewcomerServedWithin.TotalSeconds} s after the flood; the last failure: {last}");
    }

    private static void AssertRunning(ServerNode node, string when) =>
        Assert.True(node.IsRunning, $"The node exited {when}. The end of its log:\n{string.Join('\n', node.LogText().Split('\n').TakeLast(10))}");

    private static void AssertStillRunningWithoutFailures(ServerNode node)
    {
        AssertRunning(node, "after the flood");
        var failures = node.LogText().Split('\n')
            .Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
            .ToList();
        Assert.True(failures.Count == 0, $"The node logged failures:\n{string.Join('\n', failures.Take(10))}");
    }

    private static void AssertFilesInReserve(int peak) =>
        Assert.True(peak <= OpenFileLimit - FreeFilesAtLeast,
            $"The node held {peak} open files of the {OpenFileLimit} it may: its connection limits keep no reserve.");

    /// <summary>A name no earlier run's log file has.</summary>
    private static string NodeName(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];

    /// <summary>Alice and Bob, each connected to the node, watching each other, in an accepted call.</summary>
    private sealed class AcceptedCall : IAsyncDisposable
    {
        private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
        private readonly Person _alice;
        private readonly Person _bob;
        private readonly Guid _callId;
        private int _signals;

        private AcceptedCall(Person alice, Person bob, Guid callId) => (_alice, _bob, _callId) = (alice, bob, callId);

        public static async Task<AcceptedCall> StartAsync(ServerNode node)
        {
            var suffix = Guid.NewGuid().ToString("N")[..8];
            var alice = await Person.JoinAsync(node, $"alice{suffix}");
            var bob = await Person.JoinAsync(node, $"bob{suffix}", alice);
            var call = await alice.Device.PlaceCall(new PlaceCallRequest(bob.Id));
            await bob.IncomingCallAsync(call.Id);
            await bob.Device.AcceptCall(call.Id);
            await alice.CallStateAsync(call.Id, CallState.Accepted);
            return new AcceptedCall(alice, bob, call.Id);
        }

        /// <summary>A signal each way and a hub invocation round-trip, each within <see cref="Within"/>.</summary>
        public async Task AssertServedAsync(string when)
        {
            var n = Interlocked.Increment(ref _signals);
            await _alice.Device.SendSignal(new Signal(_callId, SignalKind.Offer, $"v=0 offer {n} {when}")).WaitAsync(Within);
            await _bob.SignalAsync(_callId, $"v=0 offer {n} {when}", Within);
            await _bob.Device.SendSignal(new Signal(_callId, SignalKind.Answer, $"v=0 answer {n} {when}")).WaitAsync(Within);
            await _alice.SignalAsync(_callId, $"v=0 answer {n} {when}", Within);
            Assert.Equal(_alice.Device.ConnectionId, await _alice.Device.GetConnectionId().WaitAsync(Within));
        }

        public async ValueTask DisposeAsync()
        {
            await _alice.DisposeAsync();
            await _bob.DisposeAsync();
        }
    }

    /// <summary>The most files the node held open at once, counted in /proc every 50 ms until stopped.</summary>
    private sealed class OpenFilesPeak
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _watching = Task.CompletedTask;
        private int _peak;

        public int Peak => Volatile.Read(ref _peak);

        public static OpenFilesPeak Watch(ServerNode node)
        {
            var peak = new OpenFilesPeak();
            peak._watching = Task.Run(() => peak.WatchAsync($"/proc/{node.ProcessId}/fd"));
            return peak;
        }

        private async Task WatchAsync(string folder)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var open = Directory.GetFileSystemEntries(folder).Length;
                    if (open > _peak) Volatile.Write(ref _peak, open);
                }
                catch (IOException)
                {
                    return;
                }
                await Task.Delay(50);
            }
        }

        public async Task<int> StopAsync()
        {
            await _stop.CancelAsync();
            await _watching;
            _stop.Dispose();
            return Peak;
        }
    }

    /// <summary>Plain TCP connections to the node that send nothing, or only their first bytes, and then stall.</summary>
    private sealed class Flood : IDisposable
    {
        private const int ConnectingAtOnce = 64;

        /// <summary>Past this many refused or timed-out connects the node takes no more, and the flood stops.</summary>
        private const int FailuresToGiveUp = 200;

        private readonly List<(Socket Socket, Stopwatch SinceSent)> _open = [];
        private int _failed;

        public static async Task<Flood> OpenAsync(ServerNode node, int count, byte[]? firstBytes)
        {
            var flood = new Flood();
            var endpoint = new IPEndPoint(IPAddress.Parse(node.BaseAddress.Host), node.BaseAddress.Port);
            using var connecting = new SemaphoreSlim(ConnectingAtOnce);
            await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
            {
                await connecting.WaitAsync();
                try
                {
                    if (Volatile.Read(ref flood._failed) < FailuresToGiveUp) await flood.OpenOneAsync(endpoint, firstBytes);
                }
                finally
                {
                    connecting.Release();
                }
            }));
            return flood;
        }

        private async Task OpenOneAsync(IPEndPoint endpoint, byte[]? firstBytes)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                await socket.ConnectAsync(endpoint, timeout.Token);
                if (firstBytes is not null) await socket.SendAsync(firstBytes, timeout.Token);
                lock (_open) _open.Add((socket, Stopwatch.StartNew()));
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                Interlocked.Increment(ref _failed);
                socket.Dispose();
            }
        }

        public string Describe() => $"{_open.Count} flood connections open, {_failed} failed to connect";

        /// <summary>Waits up to <paramref name="within"/> for the node to end each connection, and returns how long
        /// after its first bytes each one ended (null: still open).</summary>
        public async Task<IReadOnlyList<TimeSpan?>> ClosedByNodeAsync(TimeSpan within)
        {
            using var timeout = new CancellationTokenSource(within);
            return await Task.WhenAll(_open.Select(async c =>
            {
                var buffer = new byte[256];
                try
                {
                    while (await c.Socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
                    {
                    }
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    // A cancelled receive may end as either.
                    if (timeout.IsCancellationRequested) return (TimeSpan?)null;
                }
                return c.SinceSent.Elapsed;
            }));
        }

        public void Dispose()
        {
            foreach (var (socket, _) in _open) socket.Dispose();
        }
    }
}
