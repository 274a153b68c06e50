using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Peercall.EndToEnd.Tests.Infrastructure;
using Peercall.Reachability.Tests.Infrastructure;

namespace Peercall.EndToEnd.Tests.Reachability;

/// <summary>
/// The published server inside a network namespace with its automatic HTTPS (generated CA and server
/// certificate covering the namespace's addresses), and what a browser in another namespace needs to use it.
/// </summary>
public sealed class NamespacedServer : IAsyncDisposable
{
    public const int HttpsPort = 5001, HttpPort = 5000;

    private readonly NamespacedProcess _process;
    private readonly string _dataDirectory;

    private NamespacedServer(NamespacedProcess process, string dataDirectory)
    {
        _process = process;
        _dataDirectory = dataDirectory;
    }

    public string Output => _process.Output;

    public Uri BaseAddress(string address) => new($"https://{address}:{HttpsPort}/");

    /// <summary>
    /// Chromium's <c>--ignore-certificate-errors-spki-list</c> with the SPKI hash of the server's generated
    /// certificate (the value its /connect page shows). Only this key is accepted; any other certificate error
    /// still fails. The CA's own SPKI hash is not enough: Chromium matched only the server certificate's when
    /// tried (ERR_CERT_AUTHORITY_INVALID with the CA's).
    /// </summary>
    public string TrustFlag =>
        $"--ignore-certificate-errors-spki-list={SpkiSha256(Path.Combine(_dataDirectory, "certificates", "server.crt"))}";

    public static async Task<NamespacedServer> StartAsync(NetworkNamespace space, string folder,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var curl = ExternalProcess.Require("curl", "curl");
        var dataDirectory = Path.Combine(folder, "data");
        var dll = await ServerBuild.DllAsync();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Peercall__DataDirectory"] = dataDirectory,
            ["Peercall__RateLimits__AuthPermitLimit"] = "10000",
            ["Peercall__Https__Port"] = HttpsPort.ToString(),
            ["Peercall__Https__HttpPort"] = HttpPort.ToString(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        var process = await NamespacedProcess.StartAsync(space, ["dotnet", dll], environment, Path.GetDirectoryName(dll),
            async () => (await space.RunAsync(TimeSpan.FromSeconds(10), curl, "-sf",
                $"http://127.0.0.1:{HttpPort}/healthz")).ExitCode == 0,
            "The Peercall server");
        return new NamespacedServer(process, dataDirectory);
    }

    /// <summary>A Chromium launcher for Playwright (its ExecutablePath) that starts the browser inside
    /// <paramref name="space"/>; Playwright drives it over pipes, which cross namespaces.</summary>
    public static string ChromiumIn(NetworkNamespace space, string folder)
    {
        var path = Path.Combine(folder, $"chromium-in-{space.Name}.sh");
        File.WriteAllText(path,
            $"#!/bin/sh\nexec {ExternalProcess.Require("ip", "iproute2")} netns exec {space.Name} /usr/bin/chromium \"$@\"\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static string SpkiSha256(string pemPath) =>
        Convert.ToBase64String(SHA256.HashData(
            X509Certificate2.CreateFromPem(File.ReadAllText(pemPath)).PublicKey.ExportSubjectPublicKeyInfo()));

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
