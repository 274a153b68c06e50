using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Peercall.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The published server as a child process on a free loopback port, with a fresh data folder and the given
/// settings (configuration keys such as <c>Peercall:Calls:RingTimeout</c>). Its output goes to
/// artifacts/e2e/logs. It can be stopped and started again on the same port and data, like a server restart.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly ProcessStartInfo _start;
    private readonly string _name;
    private readonly string _dataDirectory;
    private Process? _process;

    private ServerProcess(ProcessStartInfo start, string name, Uri baseAddress, string dataDirectory)
    {
        _start = start;
        _name = name;
        BaseAddress = baseAddress;
        _dataDirectory = dataDirectory;
    }

    public Uri BaseAddress { get; }

    public static async Task<ServerProcess> StartAsync(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var dll = await ServerBuild.DllAsync();
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "peercall-e2e", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);

        var start = new ProcessStartInfo("dotnet", [dll, "--urls", baseAddress.ToString().TrimEnd('/')])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Peercall__DataDirectory"] = dataDirectory;
        start.Environment["Peercall__RateLimits__AuthPermitLimit"] = "10000";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            start.Environment[key.Replace(":", "__")] = value;

        var server = new ServerProcess(start, name, baseAddress, dataDirectory);
        await server.StartAgainAsync();
        await server.ExpectWebClientAsync();
        return server;
    }

    /// <summary>Starts the stopped server again, on the same port and data folder.</summary>
    public async Task StartAgainAsync()
    {
        var process = _process = Process.Start(_start)!;
        var log = new StreamWriter(Repository.Artifacts("logs", $"server-{_name}-{BaseAddress.Port}.log"), append: true)
        {
            AutoFlush = true,
        };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Exited += (_, _) => { lock (log) log.Dispose(); };
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitUntilHealthyAsync(process);
    }

    /// <summary>Kills the server at once, as a crash or a power cut would.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    private async Task WaitUntilHealthyAsync(Process process)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The server exited with code {process.ExitCode}; see artifacts/e2e/logs.");
            try
            {
                if ((await http.GetAsync("healthz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The server did not become healthy within 60 s.");
    }

    private async Task ExpectWebClientAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        var page = await http.GetStringAsync("");
        if (!page.Contains("_framework/blazor.webassembly.js"))
            throw new InvalidOperationException("The server does not serve the web client at /: Peercall.Server must " +
                                                "reference Peercall.Web and call app.MapWebClient().");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
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
