using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Peercall.Bench.Load;

public sealed partial class LoadWorker
{
    /// <summary>Sizes of the signals' payloads: an audio offer and answer as browsers write them, and one ICE
    /// candidate. A call sends one offer, one answer and about eight candidates, so the mix is 1:1:8.</summary>
    public static readonly int[] PayloadLengths = [2_000, 1_500, 200];

    private static readonly string[] PeercallKinds = ["offer", "answer", "candidate"];
    private static readonly string[] PeerJsKinds = ["OFFER", "ANSWER", "CANDIDATE"];

    private readonly List<RelayPair> _pairs = [];
    private RelayRecorder? _relay;

    /// <summary>Connects both ends of every pair and, for Peercall, has A call B and B answer over the hub, so the
    /// call is bound to these two connections. A few pairs at a time: placing a call is serialised on the server.</summary>
    private async Task<object> RelaySetupAsync(RelaySetupArgs args)
    {
        var pairs = new RelayPair[args.Pairs.Length];
        await Parallel.ForAsync(0, args.Pairs.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var pair = args.Pairs[i];
            var a = await ConnectAsync(PairSlots + 2 * i, pair.CallerUser, $"pa{i}", timeout.Token, pair.CallerNode);
            var b = await ConnectCallableAsync(PairSlots + 2 * i + 1, pair.CalleeUser, $"pb{i}", timeout.Token, pair.CalleeNode);
            _connections[a.Slot] = a;
            _connections[b.Slot] = b;
            var callId = Guid.Empty;
            if (a is LeanHubConnection caller && b is LeanHubConnection callee)
            {
                var call = await caller.InvokeAsync("PlaceCall", new { calleeId = _users[pair.CalleeUser].Id, media = "audio" });
                callId = call.GetProperty("id").GetGuid();
                await callee.InvokeAsync("AcceptCall", callId);
            }
            pairs[i] = NewPair(a, b, i, callId);
        });
        _pairs.AddRange(pairs);
        return new { pairs = _pairs.Count };
    }

    private async Task<RelayRunResult> RelayRunAsync(RelayRunArgs args)
    {
        if (_pairs.Count == 0) throw new InvalidOperationException("No pairs are set up.");
        var frequency = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp();
        var recorder = new RelayRecorder(start + (long)(args.WarmupSeconds * frequency));
        _relay = recorder;
        // Awaited, not joined: a pool thread blocked in Join for the whole run would leave the receive loops one
        // thread short on two cores, and their stalls would be counted as relay latency.
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sender = new Thread(() =>
        {
            try
            {
                done.SetResult(SendSignals(args.Rate, start, start + (long)(args.Seconds * frequency), recorder));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true, Name = "signal sender", Priority = ThreadPriority.AboveNormal,
        };
        sender.Start();
        var sent = await done.Task;
        var sendSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(args.DrainSeconds));
        _relay = null;
        lock (recorder)
            return new RelayRunResult(sent, recorder.Received, recorder.Errors,
                [.. recorder.Latencies[0]], [.. recorder.Latencies[1]], [.. recorder.Latencies[2]], sendSeconds,
                recorder.FirstError);
    }

    /// <summary>Sends at a steady rate from one thread, round robin over the pairs and both directions; returns
    /// how many signals were sent after the warm-up.</summary>
    private int SendSignals(int rate, long start, long end, RelayRecorder recorder)
    {
        var buffer = new byte[16 * 1024];
        var frequency = (double)Stopwatch.Frequency;
        long k = 0;
        var counted = 0;
        var pairs = _pairs.Count;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= end) break;
            var due = (long)((now - start) * rate / frequency);
            for (; k < due; k++)
            {
                var pair = _pairs[(int)(k % pairs)];
                var forward = (k / pairs) % 2 == 0;
                var kind = ((k / (2 * pairs)) % 10) switch { 0 => 0, 1 => 1, _ => 2 };
                var stamp = Stopwatch.GetTimestamp();
                var length = WriteSignal(buffer, pair, forward, kind, stamp);
                var from = forward ? pair.A : pair.B;
                if (from is LeanHubConnection hub) hub.SendRecord(buffer.AsSpan(0, length));
                else ((PeerJsConnection)from).SendMessage(buffer.AsSpan(0, length));
                if (stamp >= recorder.RecordFrom) counted++;
            }
            Thread.Sleep(1);
        }
        return counted;
    }

    /// <summary>Writes one signal: a hub invocation of SendSignal for Peercall, a PeerJS message otherwise. The
    /// payload starts with the send time and the kind, then is padded to the kind's size. Nothing is allocated,
    /// so the load process's own garbage collector stays out of the latencies.</summary>
    private static int WriteSignal(byte[] buffer, RelayPair pair, bool forward, int kind, long stamp)
    {
        var span = buffer.AsSpan();
        var head = pair.Heads[forward ? 0 : 1][kind];
        head.CopyTo(span);
        var written = head.Length;
        "t="u8.CopyTo(span[written..]);
        written += 2;
        stamp.TryFormat(span[written..], out var digits);
        written += digits;
        ";k="u8.CopyTo(span[written..]);
        written += 3;
        span[written++] = (byte)('0' + kind);
        span[written++] = (byte)';';
        var padding = PayloadLengths[kind] - (written - head.Length);
        span.Slice(written, padding).Fill((byte)'x');
        written += padding;
        pair.Tail.CopyTo(span[written..]);
        return written + pair.Tail.Length;
    }

    private static RelayPair NewPair(LoadConnection a, LoadConnection b, int index, Guid callId)
    {
        string aId = $"pa{index}", bId = $"pb{index}";
        var peercall = a is LeanHubConnection;
        byte[] Head(bool forward, int kind) => Encoding.UTF8.GetBytes(peercall
            ? $"{{\"type\":1,\"invocationId\":\"r\",\"target\":\"SendSignal\",\"arguments\":[{{\"callId\":\"{callId}\",\"kind\":\"{PeercallKinds[kind]}\",\"payload\":\""
            : $"{{\"type\":\"{PeerJsKinds[kind]}\",\"dst\":\"{(forward ? bId : aId)}\",\"payload\":{{\"{(kind == 2 ? "candidate" : "sdp")}\":\"");
        var heads = new[] { true, false }.Select(forward => Enumerable.Range(0, 3).Select(kind => Head(forward, kind)).ToArray()).ToArray();
        return new RelayPair(a, b, callId, heads, Encoding.UTF8.GetBytes(peercall ? "\"}]}\u001e" : "\"}}"));
    }

    private static void Receive(RelayRecorder recorder, ReadOnlySpan<byte> message)
    {
        var stamp = HubJson.NumberAfter(message, "\"t="u8);
        if (stamp < recorder.RecordFrom) return;
        var kind = (int)HubJson.NumberAfter(message, ";k="u8);
        var micros = (int)((Stopwatch.GetTimestamp() - stamp) * 1_000_000 / Stopwatch.Frequency);
        lock (recorder)
        {
            recorder.Received++;
            if (kind is >= 0 and <= 2) recorder.Latencies[kind].Add(micros);
        }
    }

    private async Task<object> RelayTeardownAsync()
    {
        foreach (var pair in _pairs)
        {
            if (pair.A is LeanHubConnection caller)
            {
                try
                {
                    await caller.InvokeAsync("EndCall", pair.CallId, "hung-up").WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (Exception e) when (e is HubErrorException or TimeoutException)
                {
                }
            }
            foreach (var connection in new[] { pair.A, pair.B })
            {
                _connections.TryRemove(connection.Slot, out _);
                connection.Close();
            }
        }
        var count = _pairs.Count;
        _pairs.Clear();
        return new { closed = count };
    }

    /// <param name="Heads">The message up to the payload, by direction (A to B first) and kind.</param>
    private sealed record RelayPair(LoadConnection A, LoadConnection B, Guid CallId, byte[][][] Heads, byte[] Tail);

    private sealed class RelayRecorder(long recordFrom)
    {
        public long RecordFrom { get; } = recordFrom;
        public List<int>[] Latencies { get; } = [[], [], []];
        public int Received { get; set; }
        public int Errors { get; private set; }
        public string? FirstError { get; private set; }

        public void Error(string record)
        {
            lock (this)
            {
                Errors++;
                FirstError ??= record;
            }
        }
    }
}
