using System.Text.Json;

namespace Peercall.Server.Tests.Hosting;

public sealed class GarbageCollectorTests
{
    /// <summary>The Web SDK turns server GC on unless the project turns it off. Workstation GC keeps far less memory
    /// per idle connection (bench/README.md); a property spelled wrong once left server GC on unnoticed.</summary>
    [Fact]
    public void The_built_server_runs_with_the_workstation_garbage_collector()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Peercall.Server.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(properties.TryGetProperty("System.GC.Server", out var server), $"{path} does not say which garbage collector to use.");
        Assert.False(server.GetBoolean(), $"{path} asks for server GC.");
    }
}
