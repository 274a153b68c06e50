namespace Peercall.Bench.Tests;

/// <summary>The command line picks the single-server or the cluster presets, wherever --nodes stands.</summary>
public sealed class BenchSettingsTests
{
    [Theory]
    [InlineData("--nodes", "3", "--mode", "full")]
    [InlineData("--mode", "full", "--nodes", "3")]
    public void A_full_cluster_run_spreads_50000_connections_over_three_nodes(params string[] args)
    {
        var settings = BenchSettings.Parse(args);

        Assert.True(settings.IsCluster);
        Assert.Equal(3, settings.Nodes);
        Assert.Equal(50_000, settings.Steps[^1]);
        Assert.True(settings.Steps[^1] / settings.Nodes < 19_500, "each node stays below its connection limit");
        Assert.True(settings.Steps[^1] / settings.LoadProcesses < 19_000, "each load process stays below its file limit");
        Assert.Equal(0, settings.IdleUsers % settings.Nodes);
        Assert.False(settings.RunPeerJs);
        Assert.True(settings.UpdateReadme);
        Assert.Equal(["fanout", "kill", "relay"], settings.Scenarios.Order());
    }

    [Fact]
    public void Without_nodes_the_single_server_run_is_unchanged()
    {
        var settings = BenchSettings.Parse(["--mode", "full"]);

        Assert.False(settings.IsCluster);
        Assert.Equal(BenchSettings.Full.Steps, settings.Steps);
        Assert.True(settings.RunPeerJs);
    }

    [Fact]
    public void The_relay_can_run_at_another_step_than_the_plans_but_only_at_one_of_the_steps()
    {
        var settings = BenchSettings.Parse(["--nodes", "3", "--mode", "full", "--steps", "10000", "--relay-at", "10000"]);
        Assert.Equal(10_000, settings.RelayAt);
        Assert.False(settings.UpdateReadme);

        var failure = Assert.Throws<ArgumentException>(() =>
            BenchSettings.Parse(["--nodes", "3", "--mode", "full", "--steps", "10000", "--relay-at", "20000"]));
        Assert.Contains("not one of the steps (10000)", failure.Message);
    }

    [Fact]
    public void Tls_stays_on_whatever_the_order_and_is_for_one_server_only()
    {
        var settings = BenchSettings.Parse(["--tls", "--mode", "full"]);
        Assert.True(settings.Tls);
        Assert.Equal(10_000, settings.EmptyHubAt);
        Assert.True(settings.UpdateReadme);
        Assert.Throws<ArgumentException>(() => BenchSettings.Parse(["--nodes", "3", "--tls"]));
    }

    [Fact]
    public void A_cluster_run_cannot_be_held_for_a_profiler() =>
        Assert.Throws<ArgumentException>(() => BenchSettings.Parse(["--nodes", "3", "--hold", "60"]));
}
