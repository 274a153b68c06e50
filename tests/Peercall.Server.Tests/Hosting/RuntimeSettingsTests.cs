using System.Text.Json;

namespace Peercall.Server.Tests.Hosting;

/// <summary>Runtime settings the server's figures depend on (bench/README.md), read from the built server's
/// runtimeconfig.json, where the SDK writes them: a project property spelled wrong is silently ignored.</summary>
public sealed class RuntimeSettingsTests
{
    private static JsonElement ConfigProperties()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Peercall.Server.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        return config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    /// <summary>The Web SDK turns server GC on unless the project turns it off; workstation GC keeps far less memory
    /// per idle connection. (The project once said ServerGarbageCollector, which no SDK reads.)</summary>
    [Fact]
    public void The_server_runs_with_the_workstation_garbage_collector()
    {
        Assert.True(ConfigProperties().TryGetProperty("System.GC.Server", out var server), "The server does not say which garbage collector to use.");
        Assert.False(server.GetBoolean(), "The server asks for server GC.");
    }

    [Fact]
    public void Idle_thread_pool_workers_do_not_spin()
    {
        Assert.True(ConfigProperties().TryGetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", out var spin),
            "The server leaves the thread pool's spinning at its default.");
        Assert.Equal(0, spin.GetInt32());
    }
}
