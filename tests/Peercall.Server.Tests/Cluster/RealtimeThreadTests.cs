using Peercall.Server.Cluster;

namespace Peercall.Server.Tests.Cluster;

public sealed class RealtimeThreadTests
{
    private const int SchedOther = 0, SchedFifo = 1;

    [Fact]
    public void A_thread_that_asks_gets_real_time_scheduling_where_linux_allows_it_and_the_other_threads_keep_theirs()
    {
        string? refused = "not asked";
        var scheduling = (Policy: -1, Priority: -1);
        var thread = new Thread(() =>
        {
            refused = RealtimeThread.TryEnter();
            scheduling = Scheduling.OfThisThread();
        });
        thread.Start();
        thread.Join();

        if (Scheduling.RealtimeAllowed(Environment.ProcessId))
        {
            Assert.Null(refused);
            Assert.Equal((SchedFifo, 1), scheduling);
        }
        else
        {
            // Without the right, Linux says no (EPERM), and the thread goes on as before.
            Assert.Equal("Operation not permitted", refused);
            Assert.Equal(SchedOther, scheduling.Policy);
        }
        Assert.Equal(SchedOther, Scheduling.OfThisThread().Policy);
    }
}

/// <summary>What Linux says in /proc about real-time scheduling: a thread's policy and priority (fields 41 and 40 of
/// its stat file, proc(5)), and whether a process may ask for it at all.</summary>
public static class Scheduling
{
    private const int CapSysNice = 23;

    /// <summary>CAP_SYS_NICE among the process's effective capabilities (root has it, unless a container dropped
    /// it), or a real-time priority limit of at least 1 (RLIMIT_RTPRIO).</summary>
    public static bool RealtimeAllowed(int pid)
    {
        var capabilities = File.ReadLines($"/proc/{pid}/status").First(line => line.StartsWith("CapEff:"))["CapEff:".Length..].Trim();
        if ((Convert.ToUInt64(capabilities, 16) & (1UL << CapSysNice)) != 0) return true;
        var limit = File.ReadLines($"/proc/{pid}/limits").First(line => line.StartsWith("Max realtime priority"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
        return limit == "unlimited" || int.Parse(limit) >= 1;
    }

    public static (int Policy, int Priority) OfThisThread() => Of("/proc/thread-self/stat");

    public static (int Policy, int Priority) Of(string statFile)
    {
        var stat = File.ReadAllText(statFile);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[41 - 3]), int.Parse(fields[40 - 3]));
    }
}
