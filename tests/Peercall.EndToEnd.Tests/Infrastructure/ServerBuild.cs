using System.Diagnostics;

namespace Peercall.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The server exactly as it is deployed: <c>dotnet publish -c Release</c>, which also publishes the web client
/// with trimming and Brotli/gzip. Done once per test run into artifacts/e2e/server; set PEERCALL_E2E_SERVER to
/// a folder that already holds Peercall.Server.dll to skip it.
/// </summary>
public static class ServerBuild
{
    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    public static Task<string> DllAsync() => Published.Value;

    private static async Task<string> PublishAsync()
    {
        if (Environment.GetEnvironmentVariable("PEERCALL_E2E_SERVER") is { Length: > 0 } given)
            return Path.Combine(given, "Peercall.Server.dll");

        var output = Repository.Artifacts("server");
        var project = Path.Combine(Repository.Root, "src", "Peercall.Server", "Peercall.Server.csproj");
        var log = Repository.Artifacts("logs", "publish.log");
        var start = new ProcessStartInfo("dotnet",
            ["publish", project, "-c", "Release", "-o", output, "--nologo", "--disable-build-servers"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await File.WriteAllTextAsync(log, await stdout + await stderr);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet publish of the server failed; see {log}");
        return Path.Combine(output, "Peercall.Server.dll");
    }
}
