namespace Peercall.Cluster.Tests.Infrastructure;

/// <summary>What Linux says in /proc about real-time scheduling: whether a process may ask for it, and a thread's
/// policy and real-time priority (fields 41 and 40 of its stat file, proc(5)). Server.Tests links this file.</summary>
public static class ThreadScheduling
{
    public const int Other = 0, Fifo = 1;
    private const int CapSysNice = 23;

    /// <summary>CAP_SYS_NICE among the process's effective capabilities (root has it, unless a container dropped
    /// it), or a real-time priority limit of at least 1 (RLIMIT_RTPRIO): what Linux asks before it grants SCHED_FIFO.</summary>
    public static bool RealtimeAllowed(int pid)
    {
        var capabilities = File.ReadLines($"/proc/{pid}/status").First(line => line.StartsWith("CapEff:"))["CapEff:".Length..].Trim();
        if ((Convert.ToUInt64(capabilities, 16) & (1UL << CapSysNice)) != 0) return true;
        var limit = File.ReadLines($"/proc/{pid}/limits").First(line => line.StartsWith("Max realtime priority"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
        return limit == "unlimited" || int.Parse(limit) >= 1;
    }

    public static (int Policy, int Priority) OfThisThread() => Of("/proc/thread-self/stat");

    /// <summary>The policies of the threads of process <paramref name="pid"/> named <paramref name="name"/> as Linux
    /// keeps it (the first 15 characters), in ascending order.</summary>
    public static int[] PoliciesOfThreads(int pid, string name) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .Where(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name)
            .Select(task => Of(Path.Combine(task, "stat")).Policy)
            .Order().ToArray();

    private static (int Policy, int Priority) Of(string statFile)
    {
        var stat = File.ReadAllText(statFile);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[41 - 3]), int.Parse(fields[40 - 3]));
    }
}
