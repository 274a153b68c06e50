using System.Diagnostics;
using System.Text;

namespace Peercall.Reachability.Tests.Infrastructure;

/// <summary>
/// The real server as its own process, the way an operator runs it: no test host, its own listeners, its own
/// data folder. Killed and its data folder deleted on dispose.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly bool _ownsDataDirectory;

    private ServerProcess(Process process, StringBuilder output, string dataDirectory, bool ownsDataDirectory)
    {
        _process = process;
        _output = output;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
    }

    public string DataDirectory { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }
    public int Id => _process.Id;

    /// <param name="command">The program and its first arguments: <c>dotnet Peercall.Server.dll</c> by default,
    /// a published executable, or either behind <c>ip netns exec</c>.</param>
    /// <param name="readyUrl">A URL that answers once the server is up; a plain-HTTP loopback one.</param>
    /// <param name="isReady">Instead of <paramref name="readyUrl"/>, for a server this process cannot reach directly.</param>
    public static async Task<ServerProcess> StartAsync(Uri? readyUrl, Dictionary<string, string?>? environment = null,
        string[]? arguments = null, string[]? command = null, string? dataDirectory = null, Action<ProcessStartInfo>? configure = null,
        Func<Task<bool>>? isReady = null)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("peercall-server-").FullName;
        command ??= ["dotnet", Repository.ServerDll];
        var info = new ProcessStartInfo(command[0]) { WorkingDirectory = dataDirectory };
        foreach (var argument in command.Skip(1).Concat(arguments ?? [])) info.ArgumentList.Add(argument);
        info.Environment["Peercall__DataDirectory"] = Path.Combine(dataDirectory, "data");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Warning";
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_URLS") || k.StartsWith("DOTNET_URLS")).ToList())
            info.Environment.Remove(key);
        foreach (var (key, value) in environment ?? []) info.Environment[key] = value;
        configure?.Invoke(info);

        var process = ExternalProcess.Start(info, out var output);
        var server = new ServerProcess(process, output, dataDirectory, owns);
        try
        {
            await server.WaitUntilReadyAsync(isReady ?? (() => AnswersAsync(readyUrl!)), TimeSpan.FromSeconds(60));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private async Task WaitUntilReadyAsync(Func<Task<bool>> isReady, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await isReady())
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode}:\n{Output}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The server was not ready within {timeout.TotalSeconds} s:\n{Output}");
            await Task.Delay(100);
        }
    }

    private static async Task<bool> AnswersAsync(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(url);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops the server and waits for it, keeping its data folder (to start again on it).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        if (_ownsDataDirectory) Directory.Delete(DataDirectory, recursive: true);
    }
}
