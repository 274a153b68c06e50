using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Peercall.Bench.Servers;

namespace Peercall.Bench.Load;

/// <summary>
/// One load process: holds its share of the connections (idle connection g lives in worker g % WorkerCount),
/// keeps them alive, and runs the scenario steps the coordinator asks for. Requests are handled concurrently, so
/// the coordinator can arm a watch here while it acts elsewhere.
/// </summary>
public sealed partial class LoadWorker : IConnectionListener
{
    /// <summary>Connection slots below this are idle connections; scenario connections get their own ranges.</summary>
    private const int PairSlots = 1_000_000, CallSlots = 2_000_000, ProbeSlots = 3_000_000;

    private readonly ConcurrentDictionary<int, LoadConnection> _connections = new();
    private readonly ConcurrentDictionary<string, int> _closeReasons = new();
    private readonly Stream _output;
    private readonly Lock _outputLock = new();
    private InitArgs _init = null!;
    private BenchUser[] _users = [];
    private IPEndPoint[] _nodes = [];
    private IPAddress[] _sources = [];
    private ServerTls? _tls;
    private int _unexpectedCloses;
    private long _messages;

    private LoadWorker(Stream output) => _output = output;

    public static async Task<int> RunAsync()
    {
        var worker = new LoadWorker(Console.OpenStandardOutput());
        using var input = new StreamReader(Console.OpenStandardInput());
        using var stop = new CancellationTokenSource();
        var keepAlive = worker.KeepAliveAsync(stop.Token);
        while (await input.ReadLineAsync() is { } line)
        {
            var request = JsonSerializer.Deserialize<WorkerRequest>(line, WorkerProtocol.Json)!;
            if (request.Op == WorkerProtocol.Quit) break;
            _ = worker.HandleAsync(request);
        }
        await stop.CancelAsync();
        foreach (var connection in worker._connections.Values) connection.Abort();
        await keepAlive;
        return 0;
    }

    private async Task HandleAsync(WorkerRequest request)
    {
        try
        {
            object result = request.Op switch
            {
                WorkerProtocol.Init => Init(Args<InitArgs>(request)),
                WorkerProtocol.Grow => await GrowAsync(Args<GrowArgs>(request)),
                WorkerProtocol.Shrink => Shrink(Args<ShrinkArgs>(request)),
                WorkerProtocol.Status => Status(),
                WorkerProtocol.NodesOpen => NodesOpen(),
                WorkerProtocol.Watch => await WatchAsync(Args<WatchArgs>(request)),
                WorkerProtocol.WatchWait => await WatchWaitAsync(Args<WatchWaitArgs>(request)),
                WorkerProtocol.RelaySetup => await RelaySetupAsync(Args<RelaySetupArgs>(request)),
                WorkerProtocol.RelayRun => await RelayRunAsync(Args<RelayRunArgs>(request)),
                WorkerProtocol.RelayTeardown => await RelayTeardownAsync(),
                WorkerProtocol.CallsSetup => await CallsSetupAsync(Args<CallsSetupArgs>(request)),
                WorkerProtocol.CallsRun => await CallsRunAsync(Args<CallsRunArgs>(request)),
                WorkerProtocol.CallsTeardown => CallsTeardown(),
                WorkerProtocol.StormArm => StormArm(),
                WorkerProtocol.StormWait => await StormWaitAsync(Args<StormWaitArgs>(request)),
                WorkerProtocol.Probe => await ProbeAsync(Args<ProbeArgs>(request)),
                WorkerProtocol.ProbeCheck => await ProbeCheckAsync(Args<ProbeCheckArgs>(request)),
                WorkerProtocol.ProbeRelease => ProbeRelease(),
                _ => throw new InvalidOperationException($"Unknown request '{request.Op}'."),
            };
            Reply(new WorkerReply(request.Id, JsonSerializer.SerializeToElement(result, result.GetType(), WorkerProtocol.Json)));
        }
        catch (Exception e)
        {
            Reply(new WorkerReply(request.Id, Error: $"{e.GetType().Name}: {e.Message}"));
        }
    }

    private static T Args<T>(WorkerRequest request) => request.Args.Deserialize<T>(WorkerProtocol.Json)!;

    private void Reply(WorkerReply reply)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(reply, WorkerProtocol.Json);
        lock (_outputLock)
        {
            _output.Write(line);
            _output.WriteByte((byte)'\n');
            _output.Flush();
        }
    }

    private object Init(InitArgs init)
    {
        _init = init;
        _nodes = init.Ports.Select(port => new IPEndPoint(IPAddress.Loopback, port)).ToArray();
        _sources = Enumerable.Range(0, init.SourceAddresses).Select(i => new IPAddress([127, 0, 0, (byte)(2 + i)])).ToArray();
        _tls = init.AuthorityFile is { } authority ? ServerTls.Load(authority) : null;
        if (init.UsersFile is { } file)
            _users = JsonSerializer.Deserialize<BenchUser[]>(File.ReadAllBytes(file), WorkerProtocol.Json)!;
        return new { ok = true };
    }

    private IPAddress SourceFor(int slot) => _sources[slot % _sources.Length];

    private int IdleOpen => _connections.Keys.Count(slot => slot < PairSlots);

    private static int NodeOfIdle(int idle, int nodes) => idle % nodes;

    /// <summary>Opens an idle connection; on Peercall it then watches its contacts, as the web app does once it
    /// has listed them.</summary>
    private async Task<LoadConnection> ConnectIdleAsync(int slot, int idle, CancellationToken ct)
    {
        var connection = await ConnectAsync(slot, _init.IdleUserOffset + idle % _init.IdleUserCount, $"i{idle}", ct,
            NodeOfIdle(idle, _nodes.Length));
        if (_init.Target == TargetServer.Peercall && connection is LeanHubConnection hub)
        {
            try
            {
                await hub.InvokeAsync("WatchPresence", ContactsOf(idle)).WaitAsync(ct);
            }
            catch
            {
                connection.Abort();
                throw;
            }
        }
        return connection;
    }

    private async Task<LoadConnection> ConnectAsync(int slot, int user, string peerId, CancellationToken ct, int node = 0) =>
        _init.Target switch
        {
            TargetServer.Peercall => await LeanHubConnection.ConnectAsync(this, SourceFor(slot), _nodes[node], _users[user].AccessToken, slot, ct, _tls),
            TargetServer.EmptyHub => await LeanHubConnection.ConnectAsync(this, SourceFor(slot), _nodes[node], null, slot, ct, _tls, EmptyHubServer.HubPath),
            _ => await PeerJsConnection.ConnectAsync(this, SourceFor(slot), _nodes[node], peerId, slot, ct),
        };

    /// <summary>A connection another client is about to call. The hub answers the handshake before it registers the
    /// connection, and a callee not registered yet is offline, so the call would be missed; an invocation is answered
    /// only once it is registered. Peercall's own client is callable on the same terms: it asks for its id on start.</summary>
    private async Task<LoadConnection> ConnectCallableAsync(int slot, int user, string peerId, CancellationToken ct, int node = 0)
    {
        var connection = await ConnectAsync(slot, user, peerId, ct, node);
        if (connection is LeanHubConnection hub) await hub.InvokeAsync("GetConnectionId");
        return connection;
    }

    private async Task<GrowResult> GrowAsync(GrowArgs args)
    {
        var errors = new ConcurrentDictionary<string, int>();
        var opened = 0;
        var failed = 0;
        var pending = 0;
        var first = Stopwatch.GetTimestamp();
        long last = first;
        using var gate = new SemaphoreSlim(args.Concurrency);
        using var progress = ReportProgress(() => new WorkerProgress(IdleOpen, failed, Volatile.Read(ref pending)));
        var slots = Enumerable.Range(0, args.Total)
            .Where(g => g % _init.WorkerCount == _init.WorkerIndex && !_connections.ContainsKey(g)).ToList();
        pending = slots.Count;
        await Task.WhenAll(slots.Select(async slot =>
        {
            await gate.WaitAsync();
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(args.TimeoutSeconds));
                _connections[slot] = await ConnectIdleAsync(slot, slot, timeout.Token);
                Interlocked.Increment(ref opened);
                Interlocked.Exchange(ref last, Stopwatch.GetTimestamp());
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref failed);
                errors.AddOrUpdate(Describe(e), 1, (_, n) => n + 1);
            }
            finally
            {
                Interlocked.Decrement(ref pending);
                gate.Release();
            }
        }));
        return new GrowResult(opened, failed, new(errors), IdleOpen, first, last);
    }

    private object Shrink(ShrinkArgs args)
    {
        foreach (var slot in _connections.Keys.Where(s => s < PairSlots && s >= args.Total).ToList())
            if (_connections.TryRemove(slot, out var connection))
                connection.Close();
        return new { open = IdleOpen };
    }

    private StatusResult Status() =>
        new(IdleOpen, Volatile.Read(ref _unexpectedCloses), new(_closeReasons), Interlocked.Read(ref _messages));

    private int[] NodesOpen()
    {
        var open = new int[_nodes.Length];
        foreach (var slot in _connections.Keys)
            if (slot < PairSlots) open[NodeOfIdle(slot, _nodes.Length)]++;
        return open;
    }

    /// <summary>Pings every connection once per keep-alive interval: each second the slice of connections due, in
    /// small batches spread over that second. Real clients' timers are independent of each other, so their pings
    /// arrive spread out; sending a whole slice at once would load both servers with bursts no real crowd sends.</summary>
    private async Task KeepAliveAsync(CancellationToken ct)
    {
        const int BatchesPerSecond = 20;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var tick = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (_init is null) continue;
                var period = _init.KeepAliveSeconds;
                tick++;
                var due = _connections.Values.Where(c => c.Slot % period == tick % period).ToArray();
                for (var batch = 0; batch < BatchesPerSecond; batch++)
                {
                    if (batch > 0) await Task.Delay(1000 / BatchesPerSecond, ct);
                    var from = batch * due.Length / BatchesPerSecond;
                    var to = (batch + 1) * due.Length / BatchesPerSecond;
                    for (var i = from; i < to; i++) due[i].SendKeepAlive();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Sends progress lines every second until disposed.</summary>
    private IDisposable ReportProgress(Func<WorkerProgress> read)
    {
        var timer = new Timer(_ => Reply(new WorkerReply(0, Progress: read())), null, 1000, 1000);
        return timer;
    }

    public void OnMessage(LoadConnection connection, ReadOnlySpan<byte> message)
    {
        Interlocked.Increment(ref _messages);
        var slot = connection.Slot;
        if (slot < PairSlots)
        {
            if (_watch is { } watch) SeePresence(watch, connection, message);
        }
        else if (slot < CallSlots)
        {
            if (_relay is { } relay) Receive(relay, message);
        }
        else if (slot < ProbeSlots)
        {
            if ((slot - CallSlots) % 2 == 1 && message.IndexOf("\"IncomingCall\""u8) >= 0)
                _callPairs.ElementAtOrDefault((slot - CallSlots) / 2)?.Rang(Stopwatch.GetTimestamp());
        }
    }

    public void OnUnawaitedCompletion(LoadConnection connection, ReadOnlySpan<byte> record)
    {
        if (_relay is { } relay && record.IndexOf("\"error\""u8) >= 0) relay.Error(Encoding.UTF8.GetString(record));
    }

    public void OnClosed(LoadConnection connection, string reason)
    {
        if (connection.ClosedLocally) return;
        Interlocked.Increment(ref _unexpectedCloses);
        _closeReasons.AddOrUpdate(Shorten(reason), 1, (_, n) => n + 1);
        if (connection.Slot < PairSlots && _connections.TryGetValue(connection.Slot, out var current) && current == connection)
        {
            if (_storm is { } storm) storm.Lost(this, connection.Slot);
            else _connections.TryRemove(connection.Slot, out _);
        }
    }

    /// <summary>A short, countable description of why a connection attempt failed.</summary>
    public static string Describe(Exception e) => e switch
    {
        UpgradeRefusedException { Status: > 0 } refused => $"HTTP {refused.Status}{(refused.Code is { } code ? " " + code : "")}",
        UpgradeRefusedException refused => Shorten(refused.Message),
        SocketException socket => $"socket {socket.SocketErrorCode}",
        OperationCanceledException or TimeoutException => "timed out",
        HubErrorException hub => Shorten(hub.Message),
        _ => Shorten($"{e.GetType().Name}: {e.Message}"),
    };

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "…";
}
