using System.Diagnostics;

namespace Peercall.Bench.Servers;

/// <summary>The PeerJS server (npm package <c>peer</c>, pinned in bench/peerjs/package.json), run by Node on loopback.</summary>
public sealed class PeerJsServer(string peerJsFolder, int port, string logFile) : ServerProcess("PeerJS", port, logFile)
{
    /// <summary>Installs the pinned packages into bench/peerjs/node_modules unless they are there already.</summary>
    public static async Task InstallAsync(string peerJsFolder)
    {
        if (File.Exists(Path.Combine(peerJsFolder, "node_modules", "peer", "package.json"))) return;
        var install = new ProcessStartInfo("npm")
        {
            ArgumentList = { "ci", "--no-audit", "--no-fund", "--loglevel", "error" },
            WorkingDirectory = peerJsFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(install)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"npm ci in {peerJsFolder} failed:\n{await output}\n{await errors}");
    }

    public static string InstalledVersion(string peerJsFolder)
    {
        using var package = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(peerJsFolder, "node_modules", "peer", "package.json")));
        return package.RootElement.GetProperty("version").GetString()!;
    }

    protected override string ReadinessPath => "";

    protected override ProcessStartInfo StartInfo() =>
        new("node") { ArgumentList = { Path.Combine(peerJsFolder, "server.mjs"), Port.ToString() }, WorkingDirectory = peerJsFolder };
}
