namespace Peercall.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One published server and one Playwright driver for all browser tests. The ring timeout and reconnect grace
/// are short so the missed-call and lost-device tests finish quickly; every test makes its own users.
/// </summary>
public sealed class EndToEndFixture : IAsyncLifetime
{
    public static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(8);
    public static readonly TimeSpan ReconnectGrace = TimeSpan.FromSeconds(5);

    private int _names;

    public ServerProcess Server { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(10_000);
        var server = ServerProcess.StartAsync("shared", new Dictionary<string, string>
        {
            ["Peercall:Calls:RingTimeout"] = RingTimeout.ToString(),
            ["Peercall:Calls:ReconnectGrace"] = ReconnectGrace.ToString(),
        });
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Playwright.Selectors.SetTestIdAttribute("data-test");
        Server = await server;
    }

    /// <summary>A username no other test uses: "alice" becomes "alice7".</summary>
    public string UniqueName(string name) => $"{name}{Interlocked.Increment(ref _names)}";

    public async Task DisposeAsync()
    {
        Playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<EndToEndFixture>
{
    public const string Name = "browsers";
}
