using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Peercall.Reachability.Tests.Infrastructure;

/// <summary>
/// Debian's real coturn, on loopback, on free ports, with a generated static-auth-secret and its files in a
/// temporary folder. Started per test class and killed when the class is done.
/// </summary>
public sealed class Coturn : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("peercall-coturn-").FullName;
    private Process? _process;
    private StringBuilder _log = new();

    public string Secret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    public int Port { get; } = FreePort.Next();
    public string Url => $"turn:127.0.0.1:{Port}?transport=udp";
    public string Log { get { lock (_log) return _log.ToString(); } }

    public async Task InitializeAsync()
    {
        var turnserver = ExternalProcess.Require("turnserver", "coturn");
        var relayPorts = FreePort.Next();
        var config = Path.Combine(_folder, "turnserver.conf");
        await File.WriteAllLinesAsync(config,
        [
            "listening-ip=127.0.0.1",
            "relay-ip=127.0.0.1",
            $"listening-port={Port}",
            $"min-port={relayPorts}",
            $"max-port={relayPorts + 50}",
            "use-auth-secret",
            $"static-auth-secret={Secret}",
            "realm=peercall.test",
            "fingerprint",
            "no-tls",
            "no-dtls",
            "no-cli",
            // The test's peers are on loopback too; a real server keeps coturn's default and refuses them.
            "allow-loopback-peers",
            "no-multicast-peers",
            $"userdb={Path.Combine(_folder, "turndb")}",
            $"pidfile={Path.Combine(_folder, "turnserver.pid")}",
            "log-file=stdout",
            "simple-log",
        ]);
        _process = ExternalProcess.Start(new ProcessStartInfo(turnserver) { ArgumentList = { "-c", config } }, out _log);
        await FreePort.WaitForListenerAsync(new IPEndPoint(IPAddress.Loopback, Port), TimeSpan.FromSeconds(15),
            () => $"coturn exited: {_process.HasExited}. Its log:\n{Log}");
    }

    /// <summary>Runs coturn's own client, turnutils_uclient: it allocates a relay with these credentials and sends
    /// a few messages through it between two of its own clients.</summary>
    public async Task<ProcessResult> AllocateAsync(string username, string password)
    {
        var uclient = ExternalProcess.Require("turnutils_uclient", "coturn");
        return await ExternalProcess.RunAsync(uclient,
            ["-y", "-n", "5", "-p", Port.ToString(), "-u", username, "-w", password, "127.0.0.1"],
            TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
