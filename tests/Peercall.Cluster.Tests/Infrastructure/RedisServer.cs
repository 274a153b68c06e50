using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Peercall.Cluster.Tests.Infrastructure;

/// <summary>A real Redis server from Debian's package, as a child process on a free loopback port, keeping
/// nothing on disk. Killed on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string Kind = "redis";
    private const string PidFile = "redis.pid";
    private readonly Process _process;
    private readonly ServiceFolder _folder;
    private readonly StringBuilder _output;

    private readonly string? _password;

    private RedisServer(Process process, ServiceFolder folder, StringBuilder output, int port, string? password)
    {
        _process = process;
        _folder = folder;
        _output = output;
        Port = port;
        _password = password;
    }

    public int Port { get; }

    /// <summary>For StackExchange.Redis, as the server's Peercall:Redis:ConnectionString takes it.</summary>
    public string ConnectionString => _password is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},password={_password}";

    /// <param name="password">When given, Redis refuses every client that does not authenticate with it.</param>
    public static async Task<RedisServer> StartAsync(string? password = null)
    {
        var program = Commands.Require("redis-server", "redis-server", "/usr/sbin");
        foreach (var abandoned in ServiceFolder.Abandoned(Kind)) StopAbandoned(abandoned);

        var folder = ServiceFolder.Create(Kind);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var info = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder.Path,
            };
            foreach (var argument in new[] { "--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                         "--daemonize", "no", "--dir", folder.Path, "--maxclients", "10000" })
                info.ArgumentList.Add(argument);
            if (password is not null) foreach (var argument in new[] { "--requirepass", password }) info.ArgumentList.Add(argument);
            var output = new StringBuilder();
            var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await File.WriteAllTextAsync(folder.File(PidFile), $"{process.Id}");

            var server = new RedisServer(process, folder, output, port, password);
            if (await server.AnswersPingAsync(TimeSpan.FromSeconds(20))) return server;
            string log;
            lock (output) log = output.ToString();
            process.Kill();
            await process.WaitForExitAsync();
            if (attempt == 3)
            {
                folder.Delete();
                throw new InvalidOperationException($"redis-server did not start:\n{log}");
            }
        }
    }

    private async Task<bool> AnswersPingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer);
                var answer = Encoding.ASCII.GetString(buffer, 0, read);
                if (answer.StartsWith("+PONG") || answer.StartsWith("-NOAUTH")) return true;
            }
            catch (SocketException)
            {
            }
            catch (IOException)
            {
            }
            await Task.Delay(50);
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _folder.Delete();
    }

    /// <summary>Kills the redis-server a killed test run left behind, found by the process id it recorded.</summary>
    private static void StopAbandoned(ServiceFolder folder)
    {
        try
        {
            var pid = int.Parse(File.ReadAllText(folder.File(PidFile)));
            using var process = Process.GetProcessById(pid);
            // Redis renames its process ("redis-server 127.0.0.1:6379"), so only the start of the name is sure.
            if (process.ProcessName.StartsWith("redis-server", StringComparison.Ordinal)) process.Kill();
        }
        catch (Exception e) when (e is IOException or ArgumentException or FormatException or InvalidOperationException)
        {
        }
        folder.Delete();
    }
}
