using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Peercall.Contracts.Calls;

namespace Peercall.Bench.Load;

public sealed partial class LoadWorker
{
    private readonly List<CallPair> _callPairs = [];

    private async Task<object> CallsSetupAsync(CallsSetupArgs args)
    {
        for (var i = 0; i < args.Pairs.Length; i++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var pair = args.Pairs[i];
            var caller = await ConnectAsync(CallSlots + 2 * i, pair.CallerUser, $"ca{i}", timeout.Token);
            var callee = await ConnectCallableAsync(CallSlots + 2 * i + 1, pair.CalleeUser, $"cb{i}", timeout.Token);
            _connections[caller.Slot] = caller;
            _connections[callee.Slot] = callee;
            _callPairs.Add(new CallPair(caller, callee, _users[pair.CallerUser], _users[pair.CalleeUser]));
        }
        return new { pairs = _callPairs.Count };
    }

    /// <summary>Places calls over REST at a steady rate, each from a pair whose previous call is over, and times
    /// the callee's ringing; every call is cancelled once it rang, so the pair can call again.</summary>
    private async Task<CallsRunResult> CallsRunAsync(CallsRunArgs args)
    {
        var server = new Uri($"{(_tls is null ? "http" : "https")}://127.0.0.1:{_init.Ports[0]}/");
        using var http = _tls?.CreateHttpClient(server, TimeSpan.FromSeconds(100)) ?? new HttpClient { BaseAddress = server };
        var errors = new ConcurrentDictionary<string, int>();
        var timings = new CallTimings();
        var start = Stopwatch.GetTimestamp();
        var timedFrom = start;
        var attempts = new List<Task>();
        for (var i = 0; i < args.WarmupCount + args.Count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / args.Rate) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero) await Task.Delay(due);
            if (i == args.WarmupCount) timedFrom = Stopwatch.GetTimestamp();
            var pair = _callPairs[i % _callPairs.Count];
            await pair.Free;
            var attempt = PlaceAsync(http, pair, args.TimeoutSeconds, i >= args.WarmupCount ? timings : null, errors);
            pair.Free = attempt;
            attempts.Add(attempt);
        }
        await Task.WhenAll(attempts);
        return new CallsRunResult(timings.Placed, timings.Ring.Count, new(errors), [.. timings.Ring], [.. timings.Post],
            Stopwatch.GetElapsedTime(timedFrom).TotalSeconds);
    }

    /// <summary>What the timed calls recorded, in microseconds: to the callee's ringing, and to the POST's answer.</summary>
    private sealed class CallTimings
    {
        public ConcurrentBag<int> Ring { get; } = [];
        public ConcurrentBag<int> Post { get; } = [];
        public int Placed;
    }

    /// <summary>Places one call; a warm-up call (no <paramref name="timings"/>) counts only its errors.</summary>
    private static async Task PlaceAsync(HttpClient http, CallPair pair, double timeoutSeconds, CallTimings? timings,
        ConcurrentDictionary<string, int> errors)
    {
        void Fail(string what) => errors.AddOrUpdate(what, 1, (_, n) => n + 1);
        var rang = pair.Arm();
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/calls")
            {
                Content = JsonContent.Create(new PlaceCallRequest(pair.CalleeUser.Id), options: HubJson.Options),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", pair.CallerUser.AccessToken);
            using var response = await http.SendAsync(request);
            timings?.Post.Add(Micros(start, Stopwatch.GetTimestamp()));
            if (!response.IsSuccessStatusCode)
            {
                Fail($"POST /api/calls {(int)response.StatusCode}: {Shorten(await response.Content.ReadAsStringAsync())}");
                return;
            }
            if (timings is not null) Interlocked.Increment(ref timings.Placed);
            var call = await response.Content.ReadFromJsonAsync<JsonElement>();
            var callId = call.GetProperty("id").GetGuid();
            try
            {
                var rangAt = await rang.WaitAsync(TimeSpan.FromSeconds(timeoutSeconds));
                timings?.Ring.Add(Micros(start, rangAt));
            }
            catch (TimeoutException)
            {
                Fail("IncomingCall never came");
            }

            using var cancel = new HttpRequestMessage(HttpMethod.Post, $"api/calls/{callId}/cancel");
            cancel.Headers.Authorization = new AuthenticationHeaderValue("Bearer", pair.CallerUser.AccessToken);
            using var cancelled = await http.SendAsync(cancel);
            if (!cancelled.IsSuccessStatusCode) Fail($"cancel {(int)cancelled.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Fail(Describe(e));
        }
    }

    private object CallsTeardown()
    {
        foreach (var pair in _callPairs)
        foreach (var connection in new[] { pair.Caller, pair.Callee })
        {
            _connections.TryRemove(connection.Slot, out _);
            connection.Close();
        }
        var count = _callPairs.Count;
        _callPairs.Clear();
        return new { closed = count };
    }

    private static int Micros(long from, long to) => (int)((to - from) * 1_000_000 / Stopwatch.Frequency);

    private sealed class CallPair(LoadConnection caller, LoadConnection callee, BenchUser callerUser, BenchUser calleeUser)
    {
        private TaskCompletionSource<long> _ring = new();

        public LoadConnection Caller { get; } = caller;
        public LoadConnection Callee { get; } = callee;
        public BenchUser CallerUser { get; } = callerUser;
        public BenchUser CalleeUser { get; } = calleeUser;

        /// <summary>The pair's last call attempt; the next one waits for it.</summary>
        public Task Free { get; set; } = Task.CompletedTask;

        public Task<long> Arm()
        {
            var ring = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _ring, ring);
            return ring.Task;
        }

        public void Rang(long at) => Volatile.Read(ref _ring).TrySetResult(at);
    }
}
