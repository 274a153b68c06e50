using System.Diagnostics;
using System.Net;

namespace Peercall.Cluster.Tests.Infrastructure;

/// <summary>
/// One Peercall node as its own process, started from the server's build output with <c>dotnet
/// Peercall.Server.dll --urls</c> on a loopback port, the way an operator runs a node. Its output goes to
/// artifacts/cluster/logs. It can be killed with SIGKILL, as a crash would, and started again. It can be given a
/// lower open-file limit than the test's, as a small machine or a container would.
/// </summary>
public sealed class ServerNode : IAsyncDisposable
{
    private const string Kind = "node";
    private const string PidFile = "node.pid";
    private readonly ProcessStartInfo _start;
    private readonly ServiceFolder _folder;
    private Process? _process;

    private ServerNode(string name, ProcessStartInfo start, Uri baseAddress, ServiceFolder folder)
    {
        Name = name;
        _start = start;
        BaseAddress = baseAddress;
        _folder = folder;
    }

    public string Name { get; }
    public Uri BaseAddress { get; }
    public bool IsRunning => _process is { HasExited: false };
    public string LogFile => Repository.Artifacts("logs", $"{Name}-{BaseAddress.Port}.log");
    public int ProcessId => _process?.Id ?? 0;

    /// <param name="settings">Configuration keys such as <c>Peercall:Redis:ConnectionString</c>.</param>
    /// <param name="openFileLimit">Run the node under <c>prlimit --nofile=N:N</c> (util-linux), so that it may hold
    /// at most this many open files, soft and hard limit alike.</param>
    public static async Task<ServerNode> StartAsync(string name, IReadOnlyDictionary<string, string> settings,
        int? openFileLimit = null)
    {
        var dll = Repository.ServerDll;
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build the solution first (dotnet build Peercall.sln).");
        foreach (var abandoned in ServiceFolder.Abandoned(Kind)) StopAbandoned(abandoned);
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var folder = ServiceFolder.Create(Kind);
        var dataDirectory = Directory.CreateDirectory(folder.File("data")).FullName;

        string[] command = ["dotnet", dll, "--urls", baseAddress.ToString().TrimEnd('/')];
        // prlimit sets the limit and then becomes the node (exec), so the process id is the node's.
        if (openFileLimit is { } limit) command = ["prlimit", $"--nofile={limit}:{limit}", .. command];
        var start = new ProcessStartInfo(command[0], command[1..])
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

        var node = new ServerNode(name, start, baseAddress, folder);
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
        var process = _process = new Process { StartInfo = _start };
        var log = new StreamWriter(LogFile, append: true) { AutoFlush = true };
        var open = 2;
        // Output may still arrive after the process exited: the log closes when both streams have ended.
        void Write(DataReceivedEventArgs e)
        {
            lock (log)
            {
                if (e.Data is not null) log.WriteLine(e.Data);
                else if (--open == 0) log.Dispose();
            }
        }
        process.OutputDataReceived += (_, e) => Write(e);
        process.ErrorDataReceived += (_, e) => Write(e);
        process.Start();
        await File.WriteAllTextAsync(_folder.File(PidFile), $"{process.Id}");
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

    /// <summary>What the node has logged so far, in all its runs.</summary>
    public string LogText() => ReadWhileWritten(LogFile);

    /// <summary>What the nodes named <paramref name="name"/> have logged so far: for a node still starting, whose
    /// port, part of its log's name, is not known yet.</summary>
    public static string LogsOf(string name) =>
        string.Concat(Directory.GetFiles(Directory.CreateDirectory(Repository.Artifacts("logs")).FullName, $"{name}-*.log")
            .Select(ReadWhileWritten));

    private static string ReadWhileWritten(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    private string LogTail() => string.Join('\n', LogText().Split('\n').TakeLast(40));

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _folder.Delete();
    }

    /// <summary>Kills a node that a killed test run left behind, found by the process id it recorded.</summary>
    private static void StopAbandoned(ServiceFolder folder)
    {
        try
        {
            var pid = int.Parse(File.ReadAllText(folder.File(PidFile)));
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            if (commandLine.Contains("Peercall.Server.dll", StringComparison.Ordinal))
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or FormatException
                                      or InvalidOperationException)
        {
        }
        folder.Delete();
    }
}
