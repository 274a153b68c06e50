using Peercall.Server.Hosting;

namespace Peercall.Server.Tests.Hosting;

public sealed class OpenFileBudgetTests
{
    [Theory]
    [InlineData(1_024)]
    [InlineData(2_048)]
    [InlineData(20_000)]
    [InlineData(1_048_576)]
    public void Connections_of_both_kinds_together_leave_the_reserve_free(long limit)
    {
        var budget = OpenFileBudget.Of(limit);

        Assert.True(budget.HttpConnections + budget.UpgradedConnections + OpenFileBudget.ReservedFiles <= limit,
            $"{budget.HttpConnections} HTTP + {budget.UpgradedConnections} upgraded connections leave less than the reserve of {limit} files.");
        Assert.InRange(budget.HttpConnections, 50, 2_000);
    }

    [Fact]
    public void At_this_machines_limit_one_server_holds_19000_realtime_connections()
    {
        Assert.True(OpenFileBudget.Of(20_000).UpgradedConnections >= 19_000);
    }

    [Fact]
    public void Without_a_known_limit_kestrel_keeps_a_bound_on_plain_connections()
    {
        var budget = OpenFileBudget.Of(null);
        Assert.Null(budget.OpenFileLimit);
        Assert.Equal(10_000, budget.HttpConnections);
    }
}
