using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Peercall.Reachability.Tests.Infrastructure;

/// <summary>The real server in this process on Kestrel, over HTTPS on a free loopback port, with a
/// <see cref="FakeTimeProvider"/> so that certificate renewal is driven by the test.</summary>
public sealed class HttpsTestServer : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public HttpsTestServer(Dictionary<string, string?>? settings = null)
    {
        DataDirectory = Directory.CreateTempSubdirectory("peercall-https-").FullName;
        _settings = new Dictionary<string, string?>
        {
            ["Peercall:DataDirectory"] = DataDirectory,
            ["urls"] = "https://127.0.0.1:0",
        };
        foreach (var (key, value) in settings ?? []) _settings[key] = value;
        UseKestrel();
        try
        {
            StartServer();
        }
        catch
        {
            Directory.Delete(DataDirectory, recursive: true);
            throw;
        }
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
    }

    public string DataDirectory { get; }
    public Uri BaseAddress { get; }
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.UseEnvironment("Production");
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
