namespace Peercall.Reachability.Tests.Infrastructure;

/// <summary>
/// A Linux network namespace made by the test and deleted by it, also when the test fails. Addresses inside are
/// the test's own choosing; no traffic leaves the namespaces the test made.
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private static int _counter;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public static async Task<NetworkNamespace> CreateAsync(string role)
    {
        var ip = ExternalProcess.Require("ip", "iproute2");
        var name = $"pc-{role}-{Environment.ProcessId % 100000}-{Interlocked.Increment(ref _counter)}";
        var result = await ExternalProcess.RunAsync(ip, ["netns", "add", name], TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
            throw new InvalidOperationException(
                $"The kernel refused to create network namespace '{name}' (this test needs root and network namespaces): {result}");
        var created = new NetworkNamespace(name);
        // IPv4 only: an IPv6 link-local address appears (after duplicate address detection) a moment after a link
        // comes up, and Chromium aborts the requests in flight then with ERR_NETWORK_CHANGED.
        foreach (var setting in new[] { "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1" })
        {
            var disabled = await created.RunAsync(TimeSpan.FromSeconds(10), "sysctl", "-q", "-w", setting);
            if (disabled.ExitCode != 0) throw new InvalidOperationException($"Could not set {setting} in '{name}': {disabled}");
        }
        await created.IpAsync("link", "set", "lo", "up");
        return created;
    }

    /// <summary>Links two namespaces with a veth pair and gives each end an address (CIDR notation).</summary>
    public static async Task LinkAsync(NetworkNamespace a, string aAddress, NetworkNamespace b, string bAddress)
    {
        var ip = ExternalProcess.Require("ip", "iproute2");
        var id = Interlocked.Increment(ref _counter);
        string aEnd = $"pcv{id}a", bEnd = $"pcv{id}b";
        await ExternalProcess.RunCheckedAsync(ip, "link", "add", aEnd, "netns", a.Name, "type", "veth", "peer", "name", bEnd, "netns", b.Name);
        await a.IpAsync("addr", "add", aAddress, "dev", aEnd);
        await b.IpAsync("addr", "add", bAddress, "dev", bEnd);
        await a.IpAsync("link", "set", aEnd, "up");
        await b.IpAsync("link", "set", bEnd, "up");
        await a.WaitUntilUpAsync(aEnd);
        await b.WaitUntilUpAsync(bEnd);
        a.Interfaces.Add(aEnd);
        b.Interfaces.Add(bEnd);
    }

    /// <summary>A veth end reports carrier a moment after both ends are set up; programs started before that see the
    /// network change under them.</summary>
    private async Task WaitUntilUpAsync(string device)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!(await IpAsync("-o", "link", "show", "dev", device)).Contains("state UP", StringComparison.Ordinal))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(10))
                throw new TimeoutException($"Link {device} in '{Name}' did not come up within 10 s.");
            await Task.Delay(20);
        }
    }

    public List<string> Interfaces { get; } = [];

    public Task<string> IpAsync(params string[] arguments) =>
        ExternalProcess.RunCheckedAsync(ExternalProcess.Require("ip", "iproute2"), ["-n", Name, .. arguments]);

    /// <summary>Runs a command inside this namespace.</summary>
    public Task<ProcessResult> RunAsync(TimeSpan timeout, params string[] command) =>
        ExternalProcess.RunAsync(ExternalProcess.Require("ip", "iproute2"), ["netns", "exec", Name, .. command], timeout);

    /// <summary>The prefix that starts a long-running program inside this namespace.</summary>
    public string[] Exec(params string[] command) => [ExternalProcess.Require("ip", "iproute2"), "netns", "exec", Name, .. command];

    public async ValueTask DisposeAsync()
    {
        var result = await ExternalProcess.RunAsync(ExternalProcess.Require("ip", "iproute2"), ["netns", "del", Name], TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0) throw new InvalidOperationException($"Could not delete network namespace '{Name}': {result}");
    }
}
