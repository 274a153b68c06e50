namespace Peercall.Bench.Load;

/// <summary>All load processes of a run, addressed together or one by one.</summary>
public sealed class LoadFleet : IAsyncDisposable
{
    private readonly LoadProcess[] _processes;

    private LoadFleet(LoadProcess[] processes) => _processes = processes;

    public int Count => _processes.Length;
    public LoadProcess this[int index] => _processes[index];
    public IEnumerable<int> ProcessIds => _processes.Select(p => p.ProcessId);

    public static LoadFleet Start(int count) => new(Enumerable.Range(0, count).Select(LoadProcess.Start).ToArray());

    /// <summary>Sends one request to every process, with arguments made per process, and awaits all replies.</summary>
    public Task<T[]> AllAsync<T>(string op, Func<int, object> args, TimeSpan timeout) =>
        Task.WhenAll(_processes.Select(p => p.SendAsync<T>(op, args(p.Index), timeout)));

    public Task<T[]> AllAsync<T>(string op, object args, TimeSpan timeout) => AllAsync<T>(op, _ => args, timeout);

    /// <summary>The sum of the processes' last progress reports.</summary>
    public WorkerProgress Progress() => _processes.Select(p => p.Progress).OfType<WorkerProgress>()
        .Aggregate(new WorkerProgress(0, 0, 0), (a, b) => new WorkerProgress(a.Open + b.Open, a.Failed + b.Failed, a.Pending + b.Pending));

    public void ResetProgress()
    {
        foreach (var process in _processes) process.ClearProgress();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes) await process.DisposeAsync();
    }
}
