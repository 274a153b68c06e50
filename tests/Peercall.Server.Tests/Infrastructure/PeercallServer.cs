using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Peercall.Client;
using Peercall.Contracts.Accounts;
using Peercall.Server.Data;

namespace Peercall.Server.Tests.Infrastructure;

/// <summary>
/// The real server on Kestrel, on a free loopback port, with its own data folder and SQLite file. Time is a
/// <see cref="FakeTimeProvider"/> starting now, so timeouts are driven by the test, never by sleeping.
/// </summary>
public sealed class PeercallServer : WebApplicationFactory<Program>
{
    /// <summary>PBKDF2 rounds for test servers: Identity's default takes a quarter of a second per password on a
    /// small machine, which would make hashing most of the suite's time.</summary>
    private const int FastPasswordHashIterations = 1_000;

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsDataDirectory;
    private readonly bool _productionPasswordHashing;
    private int _userCounter;

    /// <summary>A server with the default settings, as xunit builds a class fixture: with its one public constructor.</summary>
    public PeercallServer() : this(null)
    {
    }

    /// <param name="settings">Configuration on top of the test defaults, for example lower limits.</param>
    /// <param name="dataDirectory">An existing data folder to start on, for example to restart on another
    /// server's data; the caller then owns it and deletes it.</param>
    /// <param name="productionPasswordHashing">Hash passwords with Identity's default PBKDF2 rounds rather than
    /// the few that keep the suite fast.</param>
    internal PeercallServer(Dictionary<string, string?>? settings, string? dataDirectory = null,
        bool productionPasswordHashing = false)
    {
        _ownsDataDirectory = dataDirectory is null;
        _productionPasswordHashing = productionPasswordHashing;
        DataDirectory = dataDirectory ?? NewDataDirectory();
        _settings = new Dictionary<string, string?>
        {
            ["Peercall:DataDirectory"] = DataDirectory,
            ["Peercall:RateLimits:AuthPermitLimit"] = "100000",
            ["Peercall:Calls:SweepInterval"] = "00:00:01",
        };
        TestDatabase.Configure(_settings, DataDirectory);
        foreach (var (key, value) in settings ?? []) _settings[key] = value;
        UseKestrel(0);
        StartServer();
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features
            .Get<IServerAddressesFeature>()!.Addresses.First() + "/");
    }

    public static string NewDataDirectory() =>
        Path.Combine(Path.GetTempPath(), "peercall-tests", Guid.NewGuid().ToString("N"));

    public string DataDirectory { get; }
    public string DatabaseFile => Path.Combine(DataDirectory, DataSetup.DatabaseFile);
    public Uri BaseAddress { get; }
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>What the server's own code (categories under Peercall) logged, with its structured values.</summary>
    public LogCapture Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.UseEnvironment("Production");
        // Server logs go to the capture only: tests read them there, and the console stays readable.
        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(Logs));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
            if (!_productionPasswordHashing)
                services.Configure<PasswordHasherOptions>(options => options.IterationCount = FastPasswordHashIterations);
        });
    }

    /// <summary>An HTTP client to the real port, not to an in-memory test server.</summary>
    public HttpClient NewHttpClient() => new() { BaseAddress = BaseAddress };

    public PeercallApi NewApi() => new(NewHttpClient(), Time);

    /// <summary>A username no other test on this server has, built from <paramref name="name"/>.</summary>
    public string UniqueName(string name = "user") => $"{name}{Interlocked.Increment(ref _userCounter)}";

    /// <summary>Registers and signs in a user with a name unique on this server.</summary>
    public async Task<TestUser> SignUpAsync(string name = "user", string password = "correct horse",
        string? displayName = null)
    {
        var username = UniqueName(name);
        var api = NewApi();
        var profile = await api.RegisterAsync(new RegisterRequest(username, password, displayName ?? $"{name} display"));
        await api.LoginAsync(new LoginRequest(username, password));
        return new TestUser(this, api, profile, password);
    }

    /// <summary>Sends a request exactly as given: raw JSON (or none), an optional bearer token, no retries.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null,
        string? accessToken = null, string contentType = "application/json")
    {
        using var http = NewHttpClient();
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (accessToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>A connection of its own to the server's database (see <see cref="TestDatabase"/>), to see what
    /// is really stored.</summary>
    public System.Data.Common.DbConnection OpenDatabase() => TestDatabase.Open(DataDirectory);

    /// <summary>Runs <paramref name="action"/> with a scoped service, as a request or a background sweep would.</summary>
    public async Task<T> WithScopedAsync<TService, T>(Func<TService, Task<T>> action) where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
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
        if (!_ownsDataDirectory) return;
        DeleteDataDirectory(DataDirectory);
    }

    public static void DeleteDataDirectory(string path)
    {
        TestDatabase.Drop(path);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
