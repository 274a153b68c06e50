using Peercall.Server.Cluster;

namespace Peercall.Server.Tests.Cluster;

public sealed class RealtimeThreadTests
{
    private const int SchedOther = 0, SchedFifo = 1;

    [Fact]
    public void A_thread_that_asks_gets_real_time_scheduling_as_root_and_the_other_threads_keep_theirs()
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

        if (Environment.UserName == "root")
        {
            Assert.Null(refused);
            Assert.Equal((SchedFifo, 1), scheduling);
        }
        else
        {
            // Unprivileged, Linux says no (EPERM), and the thread goes on as before.
            Assert.Equal("Operation not permitted", refused);
            Assert.Equal(SchedOther, scheduling.Policy);
        }
        Assert.Equal(SchedOther, Scheduling.OfThisThread().Policy);
    }
}

/// <summary>A thread's scheduling policy and real-time priority as Linux reports them in /proc (fields 41 and 40
/// of its stat file, proc(5)).</summary>
public static class Scheduling
{
    public static (int Policy, int Priority) OfThisThread() => Of("/proc/thread-self/stat");

    public static (int Policy, int Priority) Of(string statFile)
    {
        var stat = File.ReadAllText(statFile);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[41 - 3]), int.Parse(fields[40 - 3]));
    }
}
