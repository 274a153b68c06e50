using System.Diagnostics;

namespace Peercall.EndToEnd.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds, failing with <paramref name="what"/> after the
    /// timeout.</summary>
    public static Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        HoldsAsync(condition, timeout, () => Task.FromResult(what));

    /// <summary>As above, with a failure message made at the end, so it can say what was last seen.</summary>
    public static Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what) =>
        HoldsAsync(condition, timeout, () => Task.FromResult(what()));

    /// <summary>As above, with a failure message that asks the browser what state it is in.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition()) return;
            if (clock.Elapsed > timeout) Assert.Fail($"After {timeout.TotalSeconds:0.#} s: {await what()}");
            await Task.Delay(100);
        }
    }
}
