using Peercall.Cluster.Tests.Infrastructure;
using Peercall.Server.Cluster;

namespace Peercall.Server.Tests.Cluster;

public sealed class RealtimeThreadTests
{
    [Fact]
    public void A_thread_that_asks_gets_real_time_scheduling_where_linux_allows_it_and_the_other_threads_keep_theirs()
    {
        string? refused = "not asked";
        var scheduling = (Policy: -1, Priority: -1);
        var thread = new Thread(() =>
        {
            refused = RealtimeThread.TryEnter();
            scheduling = ThreadScheduling.OfThisThread();
        });
        thread.Start();
        thread.Join();

        if (ThreadScheduling.RealtimeAllowed(Environment.ProcessId))
        {
            Assert.Null(refused);
            Assert.Equal((ThreadScheduling.Fifo, 1), scheduling);
        }
        else
        {
            // Without the right, Linux says no (EPERM), and the thread goes on as before.
            Assert.Equal("Operation not permitted", refused);
            Assert.Equal(ThreadScheduling.Other, scheduling.Policy);
        }
        Assert.Equal(ThreadScheduling.Other, ThreadScheduling.OfThisThread().Policy);
    }
}
