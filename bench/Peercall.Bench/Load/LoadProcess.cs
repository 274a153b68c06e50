using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Peercall.Bench.Load;

/// <summary>The coordinator's handle on one load process: starts it, sends it requests and awaits its replies.</summary>
public sealed class LoadProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Task _reader;
    private int _nextId;

    private LoadProcess(Process process, int index)
    {
        _process = process;
        Index = index;
        _reader = Task.Run(ReadRepliesAsync);
    }

    public int Index { get; }
    public int ProcessId => _process.Id;

    /// <summary>The last progress the process reported.</summary>
    public WorkerProgress? Progress { get; private set; }

    public void ClearProgress() => Progress = null;

    public static LoadProcess Start(int index)
    {
        var self = Environment.ProcessPath!;
        var start = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? new ProcessStartInfo(self) { ArgumentList = { typeof(LoadProcess).Assembly.Location, "worker" } }
            : new ProcessStartInfo(self) { ArgumentList = { "worker" } };
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;
        return new LoadProcess(Process.Start(start)!, index);
    }

    public async Task<T> SendAsync<T>(string op, object args, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var line = JsonSerializer.Serialize(new WorkerRequest(id, op, JsonSerializer.SerializeToElement(args, WorkerProtocol.Json)),
            WorkerProtocol.Json);
        lock (_process) _process.StandardInput.WriteLine(line);
        try
        {
            return (await reply.Task.WaitAsync(timeout)).Deserialize<T>(WorkerProtocol.Json)!;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Load process {Index} did not answer '{op}' within {timeout.TotalSeconds:0} s.");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReadRepliesAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            var reply = JsonSerializer.Deserialize<WorkerReply>(line, WorkerProtocol.Json)!;
            if (reply.Progress is { } progress)
            {
                Progress = progress;
                continue;
            }
            if (!_pending.TryGetValue(reply.Id, out var waiting)) continue;
            if (reply.Error is { } error) waiting.TrySetException(new InvalidOperationException($"Load process {Index}: {error}"));
            else waiting.TrySetResult(reply.Result!.Value);
        }
        foreach (var (_, waiting) in _pending)
            waiting.TrySetException(new InvalidOperationException($"Load process {Index} exited."));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            lock (_process) _process.StandardInput.WriteLine(JsonSerializer.Serialize(
                new WorkerRequest(0, WorkerProtocol.Quit, JsonSerializer.SerializeToElement(new { })), WorkerProtocol.Json));
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        _process.Dispose();
    }
}
