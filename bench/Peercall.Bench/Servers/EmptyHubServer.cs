using System.Diagnostics;
using Peercall.Bench.Load;

namespace Peercall.Bench.Servers;

/// <summary>
/// The floor under Peercall's memory per connection: an empty SignalR hub (<c>bench/floor</c>, mode C), held with
/// the same idle connections in the same run, so the difference is Peercall's own. It runs on the same runtime
/// settings as Peercall (an ASP.NET Core app's defaults, server GC) and, with --tls, serves TLS with Peercall's own
/// certificate.
/// </summary>
/// <param name="tlsFrom">Peercall's data folder, whose server certificate and key it serves over TLS; null for plain HTTP.</param>
/// <param name="runtimeEnvironment">The runtime settings (<c>DOTNET_*</c>) given to Peercall with --server-env, so
/// that a comparison of them compares the floor too.</param>
public sealed class EmptyHubServer(string publishedFolder, int port, string logFile, string? tlsFrom,
    IReadOnlyDictionary<string, string> runtimeEnvironment)
    : ServerProcess("Empty SignalR hub", port, logFile)
{
    public const string HubPath = "/hub";

    public static Task PublishAsync(string repositoryRoot, string outputFolder) =>
        PublishProjectAsync(Path.Combine(repositoryRoot, "bench", "floor", "Peercall.Floor.Server"), outputFolder);

    public override bool UsesTls => tlsFrom is not null;

    public override HttpClient CreateHttpClient(TimeSpan timeout) => tlsFrom is null
        ? base.CreateHttpClient(timeout)
        : ServerTls.Load(ServerTls.AuthorityFile(tlsFrom)).CreateHttpClient(BaseAddress, timeout);

    protected override string ReadinessPath => "healthz";

    protected override ProcessStartInfo StartInfo()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(publishedFolder, "Peercall.Floor.Server.dll"), "C", Port.ToString(), Path.Combine(Path.GetDirectoryName(LogFile)!, "empty-hub.stats") },
            WorkingDirectory = publishedFolder,
        };
        foreach (var (key, value) in runtimeEnvironment.Where(v => v.Key.StartsWith("DOTNET_", StringComparison.Ordinal)))
            start.Environment[key] = value;
        if (tlsFrom is not null)
        {
            var certificates = Path.Combine(tlsFrom, "certificates");
            start.ArgumentList.Add(Path.Combine(certificates, "server.crt"));
            start.ArgumentList.Add(Path.Combine(certificates, "server.key"));
        }
        return start;
    }
}
