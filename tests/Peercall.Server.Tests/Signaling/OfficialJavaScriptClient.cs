using System.Text.Json;
using Peercall.Cluster.Tests.Infrastructure;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Signaling;

/// <summary>
/// The official SignalR JavaScript client, @microsoft/signalr at the version pinned in JavaScriptClient/package.json,
/// run by Node as a class fixture. The first test class to use it in a test run installs it with <c>npm ci</c> from
/// the committed lock file, when node_modules is missing or holds another version. A missing node or npm, or a
/// failed install, fails every test that uses it: none is skipped.
/// </summary>
public sealed class OfficialJavaScriptClient : IAsyncLifetime
{
    private const string Package = "@microsoft/signalr";

    /// <summary>Installing once per test run, however many test classes ask (and even when it failed).</summary>
    private static readonly Lazy<Task> Installed = new(InstallAsync);

    /// <summary>tests/Peercall.Server.Tests/JavaScriptClient in the clone this test run was built from.</summary>
    public static string Folder { get; } = FindFolder();

    public Task InitializeAsync() => Installed.Value;

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Starts the script and waits until its connection to the hub is open, as <paramref name="user"/>.</summary>
    public Task<JavaScriptHubConnection> ConnectAsync(PeercallServer server, TestUser user) =>
        JavaScriptHubConnection.StartAsync(Commands.Require("node", "nodejs"), Folder, server, user);

    private static async Task InstallAsync()
    {
        Commands.Require("node", "nodejs");
        var npm = Commands.Require("npm", "npm");
        var pinned = PackageVersion(Path.Combine(Folder, "package.json"), dependency: true);
        var installed = Path.Combine(Folder, "node_modules", Package, "package.json");
        if (File.Exists(installed) && PackageVersion(installed, dependency: false) == pinned) return;
        await Commands.RunAsync(npm, ["ci", "--prefix", Folder, "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
        if (PackageVersion(installed, dependency: false) != pinned)
            throw new InvalidOperationException($"npm ci did not install {Package} {pinned} in {Folder}.");
    }

    private static string? PackageVersion(string packageJson, bool dependency)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(packageJson));
        var root = json.RootElement;
        return dependency ? root.GetProperty("dependencies").GetProperty(Package).GetString() : root.GetProperty("version").GetString();
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Peercall.sln")))
                return Path.Combine(dir.FullName, "tests", "Peercall.Server.Tests", "JavaScriptClient");
        throw new InvalidOperationException($"No Peercall.sln above {AppContext.BaseDirectory}.");
    }
}
