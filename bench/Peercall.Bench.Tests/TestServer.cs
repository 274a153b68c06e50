using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Peercall.Bench.Load;
using Peercall.Client;
using Peercall.Contracts.Accounts;

namespace Peercall.Bench.Tests;

public sealed record TestUser(Guid Id, string AccessToken);

/// <summary>The real server on Kestrel, on a free loopback port, with a data folder of its own; with
/// <paramref name="tls"/>, HTTPS only, with the certificate it makes from its own CA.</summary>
public sealed class TestServer : WebApplicationFactory<Program>
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "peercall-bench-tests", Guid.NewGuid().ToString("N"));
    private readonly bool _tls;
    private int _users;

    public TestServer(bool tls = false)
    {
        _tls = tls;
        if (tls) UseKestrel();
        else UseKestrel(0);
        StartServer();
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        Endpoint = new IPEndPoint(IPAddress.Loopback, BaseAddress.Port);
        Tls = tls ? ServerTls.Load(ServerTls.AuthorityFile(_data)) : null;
    }

    public Uri BaseAddress { get; }
    public IPEndPoint Endpoint { get; }

    /// <summary>What a client trusts to reach the server over TLS; null on plain HTTP.</summary>
    public ServerTls? Tls { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Peercall:DataDirectory", _data);
        if (_tls) builder.UseSetting("urls", "https://127.0.0.1:0");
        builder.UseSetting("Peercall:RateLimits:AuthPermitLimit", "100000");
        builder.UseEnvironment("Production");
    }

    public async Task<TestUser> SignUpAsync(string name)
    {
        var username = $"{name}{Interlocked.Increment(ref _users)}";
        var api = new PeercallApi(Tls?.CreateHttpClient(BaseAddress, TimeSpan.FromSeconds(30)) ?? new HttpClient { BaseAddress = BaseAddress });
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
