using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Peercall.Client;
using Peercall.Contracts.Accounts;

namespace Peercall.Server.Tests.Infrastructure;

/// <summary>
/// The real server on Kestrel, on a free loopback port, with its own data folder and SQLite file. Time is a
/// <see cref="FakeTimeProvider"/> starting now, so timeouts are driven by the test, never by sleeping.
/// </summary>
public sealed class PeercallServer : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private int _userCounter;

    public PeercallServer(Dictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "peercall-tests", Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string?>
        {
            ["Peercall:DataDirectory"] = DataDirectory,
            ["Peercall:RateLimits:AuthPermitLimit"] = "100000",
            ["Peercall:Calls:SweepInterval"] = "00:00:01",
        };
        foreach (var (key, value) in settings ?? []) _settings[key] = value;
        UseKestrel(0);
        StartServer();
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features
            .Get<IServerAddressesFeature>()!.Addresses.First() + "/");
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

    /// <summary>An HTTP client to the real port, not to an in-memory test server.</summary>
    public HttpClient NewHttpClient() => new() { BaseAddress = BaseAddress };

    public PeercallApi NewApi() => new(NewHttpClient(), Time);

    /// <summary>Registers and signs in a user with a name unique on this server.</summary>
    public async Task<TestUser> SignUpAsync(string name = "user", string password = "correct horse")
    {
        var username = $"{name}{Interlocked.Increment(ref _userCounter)}";
        var api = NewApi();
        var profile = await api.RegisterAsync(new RegisterRequest(username, password, $"{name} display"));
        await api.LoginAsync(new LoginRequest(username, password));
        return new TestUser(this, api, profile, password);
    }

    /// <summary>Lets the background services run once time has been advanced.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        await Task.Delay(50);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
