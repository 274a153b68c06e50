using System.Diagnostics;
using System.Text;
using Peercall.Reachability.Tests.Infrastructure;

namespace Peercall.EndToEnd.Tests.Reachability;

/// <summary>A long-running program started inside a network namespace (<c>ip netns exec</c>), killed with its
/// children on dispose, so that the namespace can then be deleted.</summary>
public sealed class NamespacedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private NamespacedProcess(Process process, StringBuilder output)
    {
        _process = process;
        _output = output;
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<NamespacedProcess> StartAsync(NetworkNamespace space, string[] command,
        IReadOnlyDictionary<string, string>? environment, string? workingDirectory, Func<Task<bool>> isReady,
        string what)
    {
        var exec = space.Exec(command);
        var info = new ProcessStartInfo(exec[0]) { WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory };
        foreach (var argument in exec.Skip(1)) info.ArgumentList.Add(argument);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_URLS") || k.StartsWith("DOTNET_URLS")).ToList())
            info.Environment.Remove(key);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var started = new NamespacedProcess(ExternalProcess.Start(info, out var output), output);
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!await isReady())
            {
                if (started._process.HasExited)
                    throw new InvalidOperationException($"{what} exited with code {started._process.ExitCode}:\n{started.Output}");
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"{what} was not ready within 60 s:\n{started.Output}");
                await Task.Delay(200);
            }
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
        return started;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
