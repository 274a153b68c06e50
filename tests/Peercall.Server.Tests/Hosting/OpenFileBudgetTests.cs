using Peercall.Server.Hosting;

namespace Peercall.Server.Tests.Hosting;

public sealed class OpenFileBudgetTests
{
    [Theory]
    [InlineData(1_024)]
    [InlineData(2_048)]
    [InlineData(20_000)]
    [InlineData(1_048_576)]
    public void Connections_leave_the_reserve_free_and_realtime_ones_leave_room_for_plain_HTTP(long limit)
    {
        var budget = OpenFileBudget.Of(limit);

        Assert.Equal(limit - OpenFileBudget.ReservedFiles, budget.Connections);
        Assert.InRange(budget.Connections - budget.RealtimeConnections, 50, 1_000);
    }

    [Fact]
    public void At_this_machines_limit_one_server_holds_19000_realtime_connections()
    {
        Assert.True(OpenFileBudget.Of(20_000).RealtimeConnections >= 19_000);
    }

    [Fact]
    public void Without_a_known_limit_nothing_is_held_back()
    {
        var budget = OpenFileBudget.Of(null);
        Assert.Null(budget.OpenFileLimit);
        Assert.Equal(int.MaxValue, budget.Connections);
    }
}
