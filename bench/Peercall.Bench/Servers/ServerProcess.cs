using System.Diagnostics;

namespace Peercall.Bench.Servers;

/// <summary>A server under test, run as a child process with its output appended to a log file.</summary>
public abstract class ServerProcess : IAsyncDisposable
{
    private Process? _process;

    protected ServerProcess(string name, int port, string logFile)
    {
        Name = name;
        Port = port;
        LogFile = logFile;
    }

    public string Name { get; }
    public int Port { get; }
    public string LogFile { get; }
    public int Pid => _process?.Id ?? throw new InvalidOperationException($"{Name} is not running.");
    public Uri BaseAddress => new($"{(UsesTls ? "https" : "http")}://127.0.0.1:{Port}/");

    /// <summary>Whether the server listens for HTTPS (and wss) instead of plain HTTP.</summary>
    public virtual bool UsesTls => false;

    /// <summary>A client of the server's HTTP API, over TLS where it listens for it.</summary>
    public virtual HttpClient CreateHttpClient(TimeSpan timeout) => new() { BaseAddress = BaseAddress, Timeout = timeout };

    protected abstract ProcessStartInfo StartInfo();

    /// <summary>Publishes a .NET project in Release into <paramref name="outputFolder"/>.</summary>
    protected static async Task PublishProjectAsync(string projectFolder, string outputFolder)
    {
        var publish = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "publish", projectFolder, "-c", "Release", "-o", outputFolder, "--nologo", "-v", "q" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(publish)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet publish of {Path.GetFileName(projectFolder)} failed:\n{await output}\n{await errors}");
    }

    /// <summary>A request that answers once the server is ready.</summary>
    protected abstract string ReadinessPath { get; }

    public async Task StartAsync(TimeSpan timeout)
    {
        var start = StartInfo();
        // The shell only sets up the log redirection, then becomes the server: the process id is the server's.
        var command = string.Join(' ', new[] { start.FileName }.Concat(start.ArgumentList).Select(Quote));
        var shell = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", $"exec {command} >> {Quote(LogFile)} 2>&1" }, WorkingDirectory = start.WorkingDirectory, UseShellExecute = false };
        foreach (var (key, value) in start.Environment) shell.Environment[key] = value;
        _process = Process.Start(shell)!;
        await WaitUntilReadyAsync(timeout);
    }

    /// <summary>Stops the server as a service manager would (SIGTERM), and kills it if it does not exit in time.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process is not { HasExited: false } process) return;
        await TerminateAsync(process.Id);
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>SIGKILL, as a crash or a power cut would stop it.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } process) return;
        process.Kill();
        await process.WaitForExitAsync();
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (_process!.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}; see {LogFile}.");
            try
            {
                // A client per attempt: over TLS, the server writes the certificate authority it trusts on its first start.
                using var http = CreateHttpClient(TimeSpan.FromSeconds(2));
                using var response = await http.GetAsync(ReadinessPath);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            catch (IOException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds:0} s; see {LogFile}.");
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";

    private static async Task TerminateAsync(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", pid.ToString() } })!;
        await kill.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(30));
        _process?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A free TCP port on loopback.</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
