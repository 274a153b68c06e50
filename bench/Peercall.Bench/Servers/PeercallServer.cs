using System.Diagnostics;

namespace Peercall.Bench.Servers;

/// <summary>Peercall built in Release and run from its published folder, with its data in a folder of the run's.</summary>
/// <param name="environment">More environment variables, such as a cluster node's database and Redis settings
/// (<c>Peercall__Redis__ConnectionString</c>) or those given with --server-env.</param>
public sealed class PeercallServer(string publishedFolder, string dataFolder, int port, string logFile,
    IReadOnlyDictionary<string, string> environment, string name = "Peercall")
    : ServerProcess(name, port, logFile)
{
    public string DataFolder { get; } = dataFolder;

    /// <summary>Settings the benchmark needs that a LAN deployment would not: many sign-ins from one address,
    /// and access tokens that outlive the run (a restart in the middle must not turn clients away).</summary>
    public static readonly IReadOnlyDictionary<string, string> BenchSettings = new Dictionary<string, string>
    {
        ["Peercall__RateLimits__AuthPermitLimit"] = "1000000",
        ["Peercall__Auth__AccessTokenLifetime"] = "1.00:00:00",
    };

    public static async Task PublishAsync(string repositoryRoot, string outputFolder)
    {
        var publish = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "publish", Path.Combine(repositoryRoot, "src", "Peercall.Server"), "-c", "Release", "-o", outputFolder, "--nologo", "-v", "q" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(publish)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet publish of Peercall.Server failed:\n{await output}\n{await errors}");
    }

    protected override string ReadinessPath => "healthz";

    protected override ProcessStartInfo StartInfo()
    {
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(publishedFolder, "Peercall.Server.dll") }, WorkingDirectory = publishedFolder };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Peercall__DataDirectory"] = DataFolder;
        foreach (var (key, value) in BenchSettings) start.Environment[key] = value;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return start;
    }
}
