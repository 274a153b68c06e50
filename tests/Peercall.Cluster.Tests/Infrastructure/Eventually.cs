namespace Peercall.Cluster.Tests.Infrastructure;

public static class Eventually
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    /// <summary>The first item of <paramref name="items"/>, a collection that grows as events arrive, that
    /// matches; waits for it up to <paramref name="within"/>.</summary>
    public static async Task<T> FindAsync<T>(IEnumerable<T> items, Func<T, bool> match, TimeSpan? within, string waitingFor)
    {
        var deadline = DateTime.UtcNow + (within ?? DefaultWait);
        while (true)
        {
            foreach (var item in items)
                if (match(item)) return item;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Waited {(within ?? DefaultWait).TotalSeconds} s for {waitingFor}.");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, checking every 100 ms.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan within, string waitingFor)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {within.TotalSeconds} s for {waitingFor}.");
            await Task.Delay(100);
        }
    }
}
