using System.Net;
using System.Security.Cryptography.X509Certificates;
using Peercall.Reachability.Tests.Infrastructure;

namespace Peercall.Reachability.Tests.Publishing;

/// <summary>The self-contained linux-x64 build, published with its profile and run from its output folder the way
/// the deployment guide says, with no .NET installation in reach.</summary>
public sealed class PublishedBuildTests
{
    private static readonly string Output = Path.Combine(Repository.Root, "artifacts", "publish", "linux-x64");

    [Fact]
    public async Task The_published_linux_build_runs_without_the_sdk_and_serves_the_app_over_https()
    {
        var publish = await ExternalProcess.RunAsync("dotnet",
            ["publish", Path.Combine(Repository.Root, "src", "Peercall.Server"), "-p:PublishProfile=linux-x64", "--nologo"],
            TimeSpan.FromMinutes(8));
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed: {publish}");
        var executable = Path.Combine(Output, "Peercall.Server");
        Assert.True(File.Exists(executable), $"No {executable} after publishing.");

        int httpsPort = FreePort.Next(), httpPort = FreePort.Next();
        var emptyPath = Directory.CreateTempSubdirectory("peercall-no-dotnet-").FullName;
        try
        {
            await RunAndCheckAsync(executable, emptyPath, httpsPort, httpPort);
        }
        finally
        {
            Directory.Delete(emptyPath);
        }
    }

    private static async Task RunAndCheckAsync(string executable, string emptyPath, int httpsPort, int httpPort)
    {
        await using var server = await ServerProcess.StartAsync(new Uri($"http://127.0.0.1:{httpPort}/healthz"),
            new() { ["Peercall__Https__Port"] = httpsPort.ToString(), ["Peercall__Https__HttpPort"] = httpPort.ToString() },
            command: [executable],
            configure: start =>
            {
                // Nothing of the machine's .NET can be found: no dotnet on PATH, no DOTNET_ROOT.
                foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("DOTNET_") || k.StartsWith("MSBUILD")).ToList())
                    start.Environment.Remove(key);
                start.Environment["PATH"] = emptyPath;
                start.WorkingDirectory = Output;
            });

        // The runtime that runs it is the one inside the output folder.
        var runtime = File.ReadLines($"/proc/{server.Id}/maps").FirstOrDefault(l => l.EndsWith("/libcoreclr.so"));
        Assert.NotNull(runtime);
        Assert.Contains(Path.Combine(Output, "libcoreclr.so"), runtime);

        var authority = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(server.DataDirectory, "data", "certificates", "ca.crt")));
        using var client = TrustingClient.Create(authority);
        using var health = await client.GetAsync($"https://localhost:{httpsPort}/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());

        using var app = await client.GetAsync($"https://localhost:{httpsPort}/");
        var page = await app.Content.ReadAsStringAsync();
        Assert.True(app.StatusCode == HttpStatusCode.OK && page.Contains("_framework/blazor.webassembly", StringComparison.Ordinal),
            $"The published build does not serve the web client at / ({app.StatusCode}): {page[..Math.Min(page.Length, 400)]}");
    }
}
