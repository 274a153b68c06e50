using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Peercall.Client;
using Peercall.Contracts.Signaling;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Signaling;

/// <summary>A hub method to invoke from JavaScript, with its arguments as a web page would pass them.</summary>
public sealed record HubCall(string Method, params object?[] Args);

/// <summary>What one invocation came back with: its result, or the hub error's message.</summary>
public sealed record HubOutcome(JsonElement Result, string? Error)
{
    /// <summary>The refusal code the error starts with, read as the Peercall client reads it; null when none.</summary>
    public string? Code => Error is null ? null : PeercallHubException.From(new HubException(Error))?.Code;

    public T As<T>() => Error is null
        ? Result.Deserialize<T>(JavaScriptHubConnection.Json)!
        : throw new InvalidOperationException($"The invocation failed: {Error}");
}

/// <summary>
/// One connection of the official JavaScript client to the hub: JavaScriptClient/hub-client.mjs in a Node process of
/// its own. Commands go to its stdin; the JSON lines it prints are sorted here into results, received events, the
/// lengths of the WebSocket messages it sent, and its close.
/// </summary>
public sealed class JavaScriptHubConnection : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>camelCase and the contracts' enum names: the JSON a web page sends and receives.</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Process _node;
    private readonly StringBuilder _log = new();
    private readonly ConcurrentDictionary<int, PendingBatch> _batches = new();
    private readonly Channel<string> _states = Channel.CreateUnbounded<string>();
    private readonly ConcurrentQueue<int> _sent = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;
    private int _lastBatch;

    private JavaScriptHubConnection(Process node)
    {
        _node = node;
        _node.ErrorDataReceived += (_, e) => Log("stderr", e.Data);
        _node.BeginErrorReadLine();
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>Events the hub sent to this connection, in order, with their arguments as a JSON array.</summary>
    public Channel<(string Method, JsonElement Args)> Received { get; } = Channel.CreateUnbounded<(string, JsonElement)>();

    /// <summary>Completes with the close's error message (null for none) when the client's onclose fires.</summary>
    public TaskCompletionSource<string?> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The length of every WebSocket message the client has sent, as its transport logged them.</summary>
    public IReadOnlyList<int> SentMessageLengths => [.. _sent];

    public static async Task<JavaScriptHubConnection> StartAsync(string node, string folder, PeercallServer server, TestUser user)
    {
        var hub = new Uri(server.BaseAddress, SignalingRoutes.Hub.TrimStart('/'));
        var start = new ProcessStartInfo(node, ["hub-client.mjs", hub.ToString()])
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.Environment["PEERCALL_ACCESS_TOKEN"] = user.AccessToken;
        var connection = new JavaScriptHubConnection(Process.Start(start)!);
        try
        {
            await connection._connected.Task.WaitAsync(Timeout);
            return connection;
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException($"The JavaScript client did not connect ({e.Message}):\n{connection.Output}");
        }
    }

    /// <summary>Invokes every call in the same JavaScript tick, so the client sends them in one WebSocket message,
    /// and returns their outcomes in order once all have come back.</summary>
    public async Task<IReadOnlyList<HubOutcome>> InvokeAsync(IEnumerable<HubCall> calls)
    {
        var invocations = calls.Select(c => new { method = c.Method, args = c.Args }).ToList();
        var batch = Interlocked.Increment(ref _lastBatch);
        var pending = new PendingBatch(invocations.Count);
        _batches[batch] = pending;
        await SendAsync(new { batch, invoke = invocations });
        try
        {
            return await pending.Done.Task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{pending.Missing} of {invocations.Count} invocations had no outcome after " +
                $"{Timeout.TotalSeconds} s:\n{Output}");
        }
    }

    public async Task<HubOutcome> InvokeAsync(string method, params object?[] args) =>
        (await InvokeAsync([new HubCall(method, args)])).Single();

    /// <summary>The client's connection state: "Connected", "Disconnected", ...</summary>
    public async Task<string> StateAsync()
    {
        await SendAsync(new { state = true });
        using var cts = new CancellationTokenSource(Timeout);
        return await _states.Reader.ReadAsync(cts.Token);
    }

    /// <summary>The next received event of this method whose arguments match, skipping others.</summary>
    public async Task<JsonElement> ReceivedAsync(string method, Func<JsonElement, bool>? match = null)
    {
        using var cts = new CancellationTokenSource(TestDevice.EventTimeout);
        try
        {
            while (true)
            {
                var (name, args) = await Received.Reader.ReadAsync(cts.Token);
                if (name == method && (match is null || match(args))) return args;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching {method} arrived within {TestDevice.EventTimeout.TotalSeconds} s:\n{Output}");
        }
    }

    /// <summary>Everything the script printed, its stderr included, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    private async Task SendAsync(object command)
    {
        await _node.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command, Json));
        await _node.StandardInput.FlushAsync();
    }

    private async Task ReadAsync()
    {
        while (await _node.StandardOutput.ReadLineAsync() is { } line)
        {
            Log("stdout", line.Length > 300 ? $"{line[..300]}... ({line.Length} characters)" : line);
            using var json = JsonDocument.Parse(line);
            var e = json.RootElement;
            switch (e.GetProperty("event").GetString())
            {
                case "connected":
                    _connected.TrySetResult();
                    break;
                case "start-failed":
                    _connected.TrySetException(new InvalidOperationException(e.GetProperty("error").GetString()));
                    break;
                case "sent":
                    _sent.Enqueue(e.GetProperty("length").GetInt32());
                    break;
                case "result":
                    Complete(e, new HubOutcome(e.GetProperty("result").Clone(), null));
                    break;
                case "error":
                    Complete(e, new HubOutcome(default, e.GetProperty("message").GetString()));
                    break;
                case "received":
                    Received.Writer.TryWrite((e.GetProperty("method").GetString()!, e.GetProperty("args").Clone()));
                    break;
                case "state":
                    _states.Writer.TryWrite(e.GetProperty("state").GetString()!);
                    break;
                case "closed":
                    Closed.TrySetResult(e.GetProperty("error").GetString());
                    break;
            }
        }
        var exited = new InvalidOperationException("The JavaScript client's process ended.");
        _connected.TrySetException(exited);
        foreach (var pending in _batches.Values) pending.Done.TrySetException(exited);
    }

    private void Complete(JsonElement e, HubOutcome outcome)
    {
        var pending = _batches[e.GetProperty("batch").GetInt32()];
        pending.Outcomes[e.GetProperty("index").GetInt32()] = outcome;
        if (--pending.Missing == 0) pending.Done.TrySetResult(pending.Outcomes);
    }

    private void Log(string stream, string? line)
    {
        if (line is null) return;
        lock (_log) _log.Append(stream).Append(": ").AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await SendAsync(new { stop = true });
            _node.StandardInput.Close();
            await _node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or TimeoutException or ObjectDisposedException)
        {
            if (!_node.HasExited) _node.Kill(entireProcessTree: true);
        }
        await _reading.WaitAsync(TimeSpan.FromSeconds(5));
        _node.Dispose();
    }

    /// <summary>Outcomes are filled in by the one task reading stdout, so a plain counter is enough.</summary>
    private sealed class PendingBatch(int count)
    {
        public HubOutcome[] Outcomes { get; } = new HubOutcome[count];
        public int Missing { get; set; } = count;
        public TaskCompletionSource<IReadOnlyList<HubOutcome>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
