using Peercall.Server.Hosting;

namespace Peercall.Server.Tests.Hosting;

public sealed class IdleTrimPolicyTests
{
    private const long MB = 1024 * 1024;
    private static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(5);

    /// <summary>Samples once a second from second 0, allocating <paramref name="bytesPerSecond"/> and handling
    /// <paramref name="messagesPerSecond"/>, with the given committed heap; returns the second of the first trim, or null.</summary>
    private static int? FirstTrim(IdleTrimPolicy policy, int seconds, long bytesPerSecond, long committed, int from = 0,
        long allocatedAtStart = 0, long messagesPerSecond = 0)
    {
        for (var second = from; second < from + seconds; second++)
            if (policy.ShouldTrim(TimeSpan.FromSeconds(second), allocatedAtStart + (second - from) * bytesPerSecond,
                    (second - from) * messagesPerSecond, committed))
                return second;
        return null;
    }

    [Fact]
    public void A_grown_heap_is_trimmed_once_allocation_has_been_quiet_for_the_quiet_time()
    {
        var policy = new IdleTrimPolicy(QuietFor);
        Assert.Equal(5, FirstTrim(policy, 20, bytesPerSecond: 100_000, committed: 200 * MB));
    }

    [Fact]
    public void A_busy_server_is_never_trimmed()
    {
        var policy = new IdleTrimPolicy(QuietFor);
        Assert.Null(FirstTrim(policy, 120, bytesPerSecond: 2 * MB, committed: 500 * MB));
    }

    [Fact]
    public void A_relay_of_signals_that_allocates_little_is_not_taken_for_quiet()
    {
        var policy = new IdleTrimPolicy(QuietFor);
        Assert.Null(FirstTrim(policy, 120, bytesPerSecond: 300_000, committed: 500 * MB, messagesPerSecond: 700));
        Assert.Null(FirstTrim(new IdleTrimPolicy(QuietFor), 120, bytesPerSecond: 0, committed: 500 * MB,
            messagesPerSecond: IdleTrimPolicy.QuietMessagesPerSecond));
        Assert.Equal(5, FirstTrim(new IdleTrimPolicy(QuietFor), 20, bytesPerSecond: 0, committed: 500 * MB,
            messagesPerSecond: IdleTrimPolicy.QuietMessagesPerSecond - 1));
    }

    [Fact]
    public void A_moment_of_traffic_starts_the_quiet_time_again()
    {
        var policy = new IdleTrimPolicy(QuietFor);
        Assert.Null(FirstTrim(policy, 4, bytesPerSecond: 0, committed: 200 * MB));
        Assert.False(policy.ShouldTrim(TimeSpan.FromSeconds(4), 10 * MB, 0, 200 * MB));
        Assert.Equal(9, FirstTrim(policy, 20, bytesPerSecond: 0, committed: 200 * MB, from: 5, allocatedAtStart: 10 * MB));
    }

    [Fact]
    public void After_a_trim_the_heap_must_grow_again_before_the_next()
    {
        var policy = new IdleTrimPolicy(QuietFor);
        Assert.Equal(5, FirstTrim(policy, 10, bytesPerSecond: 0, committed: 200 * MB));
        policy.Trimmed(120 * MB);
        Assert.Null(FirstTrim(policy, 60, bytesPerSecond: 0, committed: 150 * MB, from: 6));
        // A burst commits more; once it is over, the next trim comes after the quiet time.
        Assert.Null(FirstTrim(policy, 10, bytesPerSecond: 10 * MB, committed: 180 * MB, from: 66, allocatedAtStart: 10 * MB));
        Assert.Equal(80, FirstTrim(policy, 60, bytesPerSecond: 0, committed: 180 * MB, from: 76, allocatedAtStart: 100 * MB));
    }

    [Fact]
    public void The_first_quiet_moment_after_start_up_trims_whatever_the_heaps_size()
    {
        var policy = new IdleTrimPolicy(QuietFor);
        Assert.Equal(5, FirstTrim(policy, 10, bytesPerSecond: 0, committed: 8 * MB));
        policy.Trimmed(6 * MB);
        Assert.Null(FirstTrim(policy, 60, bytesPerSecond: 0, committed: 6 * MB + IdleTrimPolicy.GrowthBeforeTrim - 1, from: 6));
    }
}
