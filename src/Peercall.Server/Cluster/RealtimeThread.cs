using System.Runtime.InteropServices;

namespace Peercall.Server.Cluster;

/// <summary>
/// Real-time scheduling for a thread that waits for the network and hands on at once what it reads. On a busy
/// machine a woken thread of normal priority can wait milliseconds for a core behind other processes; at the lowest
/// real-time priority (SCHED_FIFO 1) it runs as soon as its data arrives, and it gives the core back when it waits
/// again. Linux grants this to root, to a process with CAP_SYS_NICE, and within RLIMIT_RTPRIO (<c>LimitRTPRIO=</c>
/// of a systemd unit).
/// </summary>
public static class RealtimeThread
{
    private const int SchedFifo = 1;

    /// <summary>Moves the calling thread to SCHED_FIFO at priority 1: null when it did, else why not.</summary>
    public static string? TryEnter()
    {
        if (!OperatingSystem.IsLinux()) return "asked for on Linux only";
        var parameters = new SchedParam { Priority = 1 };
        return sched_setscheduler(0, SchedFifo, ref parameters) == 0
            ? null
            : Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    /// <summary>With pid 0, Linux applies it to the calling thread only.</summary>
    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setscheduler(int pid, int policy, ref SchedParam parameters);
}
