using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Peercall.Client;
using Peercall.Contracts.Accounts;

namespace Peercall.Bench.Tests;

public sealed record TestUser(Guid Id, string AccessToken);

/// <summary>The real server on Kestrel, on a free loopback port, with a data folder of its own.</summary>
public sealed class TestServer : WebApplicationFactory<Program>
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "peercall-bench-tests", Guid.NewGuid().ToString("N"));
    private int _users;

    public TestServer()
    {
        UseKestrel(0);
        StartServer();
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        Endpoint = new IPEndPoint(IPAddress.Loopback, BaseAddress.Port);
    }

    public Uri BaseAddress { get; }
    public IPEndPoint Endpoint { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Peercall:DataDirectory", _data);
        // A trim collects the whole test process, with every other server in it.
        builder.UseSetting("Peercall:Memory:TrimWhenIdle", "false");
        builder.UseSetting("Peercall:RateLimits:AuthPermitLimit", "100000");
        builder.UseEnvironment("Production");
    }

    public async Task<TestUser> SignUpAsync(string name)
    {
        var username = $"{name}{Interlocked.Increment(ref _users)}";
        var api = new PeercallApi(new HttpClient { BaseAddress = BaseAddress });
        var profile = await api.RegisterAsync(new RegisterRequest(username, "correct horse"));
        var session = await api.LoginAsync(new LoginRequest(username, "correct horse"));
        return new TestUser(profile.Id, session.AccessToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
