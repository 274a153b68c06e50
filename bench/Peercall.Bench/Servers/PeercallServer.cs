using System.Diagnostics;
using Peercall.Bench.Load;

namespace Peercall.Bench.Servers;

/// <summary>Peercall built in Release and run from its published folder, with its data in a folder of the run's.</summary>
/// <param name="environment">More environment variables, such as a cluster node's database and Redis settings
/// (<c>Peercall__Redis__ConnectionString</c>) or those given with --server-env.</param>
/// <param name="tls">Listen for HTTPS only, with the certificate the server makes from its own CA on first start.</param>
public sealed class PeercallServer(string publishedFolder, string dataFolder, int port, string logFile,
    IReadOnlyDictionary<string, string> environment, string name = "Peercall", bool tls = false)
    : ServerProcess(name, port, logFile)
{
    public string DataFolder { get; } = dataFolder;

    public override bool UsesTls => tls;

    /// <summary>The CA certificate clients trust over TLS; the server writes it on its first start.</summary>
    public string AuthorityFile => ServerTls.AuthorityFile(DataFolder);

    /// <summary>TLS for clients, read from the data folder once the server has started; null on plain HTTP.</summary>
    public ServerTls? Tls => tls && File.Exists(AuthorityFile) ? ServerTls.Load(AuthorityFile) : null;

    public override HttpClient CreateHttpClient(TimeSpan timeout) =>
        Tls is { } trusted ? trusted.CreateHttpClient(BaseAddress, timeout) : base.CreateHttpClient(timeout);

    /// <summary>Settings the benchmark needs that a LAN deployment would not: many sign-ins from one address,
    /// and access tokens that outlive the run (a restart in the middle must not turn clients away).</summary>
    public static readonly IReadOnlyDictionary<string, string> BenchSettings = new Dictionary<string, string>
    {
        ["Peercall__RateLimits__AuthPermitLimit"] = "1000000",
        ["Peercall__Auth__AccessTokenLifetime"] = "1.00:00:00",
    };

    public static Task PublishAsync(string repositoryRoot, string outputFolder) =>
        PublishProjectAsync(Path.Combine(repositoryRoot, "src", "Peercall.Server"), outputFolder);

    protected override string ReadinessPath => "healthz";

    protected override ProcessStartInfo StartInfo()
    {
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(publishedFolder, "Peercall.Server.dll") }, WorkingDirectory = publishedFolder };
        start.Environment["ASPNETCORE_URLS"] = $"{(tls ? "https" : "http")}://127.0.0.1:{Port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Peercall__DataDirectory"] = DataFolder;
        foreach (var (key, value) in BenchSettings) start.Environment[key] = value;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return start;
    }
}
