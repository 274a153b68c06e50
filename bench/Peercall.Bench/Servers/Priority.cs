using System.Diagnostics;

namespace Peercall.Bench.Servers;

/// <summary>
/// These machines are shared: other people's builds and tests run beside the benchmark, and a server thread that
/// waits for a core shows up as latency. The run raises its own priority (nice -10) before it starts anything, so
/// the servers and load processes inherit it and unrelated work disturbs them less. Both servers get the same.
/// </summary>
public static class Priority
{
    public const int Nice = -10;

    /// <summary>Renices every thread of this process; threads and processes started later inherit it. False when
    /// not allowed (raising priority needs root), in which case the run goes on at normal priority.</summary>
    public static bool Raise()
    {
        try
        {
            var start = new ProcessStartInfo("renice") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-n", Nice.ToString(), "-p" }) start.ArgumentList.Add(argument);
            foreach (var task in Directory.GetDirectories("/proc/self/task")) start.ArgumentList.Add(Path.GetFileName(task));
            using var renice = Process.Start(start)!;
            renice.WaitForExit();
            return renice.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
