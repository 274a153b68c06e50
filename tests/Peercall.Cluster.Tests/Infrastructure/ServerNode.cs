using System.Diagnostics;
using System.Net;

namespace Peercall.Cluster.Tests.Infrastructure;

/// <summary>
/// One Peercall node as its own process, started from the server's build output with <c>dotnet
/// Peercall.Server.dll --urls</c> on a loopback port, the way an operator runs a node. Its output goes to
/// artifacts/cluster/logs. It can be killed with SIGKILL, as a crash would, and started again.
/// </summary>
public sealed class ServerNode : IAsyncDisposable
{
    private readonly ProcessStartInfo _start;
    private readonly string _dataDirectory;
    private Process? _process;

    private ServerNode(string name, ProcessStartInfo start, Uri baseAddress, string dataDirectory)
    {
        Name = name;
        _start = start;
        BaseAddress = baseAddress;
        _dataDirectory = dataDirectory;
    }

    public string Name { get; }
    public Uri BaseAddress { get; }
    public bool IsRunning => _process is { HasExited: false };
    public string LogFile => Repository.Artifacts("logs", $"{Name}-{BaseAddress.Port}.log");
    public int ProcessId => _process?.Id ?? 0;

    /// <param name="settings">Configuration keys such as <c>Peercall:Redis:ConnectionString</c>.</param>
    public static async Task<ServerNode> StartAsync(string name, IReadOnlyDictionary<string, string> settings)
    {
        var dll = Repository.ServerDll;
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build the solution first (dotnet build Peercall.sln).");
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var dataDirectory = Directory.CreateTempSubdirectory($"peercall-{name}-").FullName;

        var start = new ProcessStartInfo("dotnet", [dll, "--urls", baseAddress.ToString().TrimEnd('/')])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_") || k.StartsWith("DOTNET_URLS")).ToList())
            start.Environment.Remove(key);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Peercall__DataDirectory"] = dataDirectory;
        start.Environment["Peercall__RateLimits__AuthPermitLimit"] = "100000";
        start.Environment["Logging__LogLevel__Peercall"] = "Debug";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;

        var node = new ServerNode(name, start, baseAddress, dataDirectory);
        try
        {
            await node.StartAgainAsync();
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>Starts the stopped node again on the same port: a new process, so a new node to the others.</summary>
    public async Task StartAgainAsync()
    {
        var process = _process = new Process { StartInfo = _start, EnableRaisingEvents = true };
        var log = new StreamWriter(LogFile, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Exited += (_, _) => { lock (log) log.Dispose(); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitUntilHealthyAsync(process);
    }

    /// <summary>SIGKILL: the node gets no chance to say goodbye, as in a crash or a power cut.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } process) return;
        process.Kill();
        await process.WaitForExitAsync();
    }

    public HttpClient NewHttpClient() => new() { BaseAddress = BaseAddress };

    private async Task WaitUntilHealthyAsync(Process process)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                throw new InvalidOperationException(
                    $"Node {Name} exited with code {process.ExitCode}. The end of {LogFile}:\n{LogTail()}");
            }
            try
            {
                using var response = await http.GetAsync("healthz");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Node {Name} did not become healthy within 90 s.");
    }

    private string LogTail()
    {
        using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return string.Join('\n', new StreamReader(stream).ReadToEnd().Split('\n').TakeLast(40));
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
