using System.Security.Cryptography.X509Certificates;
using Peercall.Reachability.Tests.Infrastructure;

namespace Peercall.Reachability.Tests.Https;

/// <summary>
/// The server on a real non-loopback address: inside a network namespace the test makes, reached from a second
/// namespace (the "other device") over a veth pair, with curl trusting only the generated CA.
/// </summary>
public sealed class LanAddressTests
{
    private const int HttpsPort = 5001, HttpPort = 5000;
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Another_device_gets_https_a_redirect_from_http_and_a_new_address_is_covered_without_a_restart()
    {
        var curl = ExternalProcess.Require("curl", "curl");
        var subnet = $"10.77.{Random.Shared.Next(1, 250)}";
        await using var machine = await NetworkNamespace.CreateAsync("srv");
        await using var device = await NetworkNamespace.CreateAsync("dev");
        await NetworkNamespace.LinkAsync(machine, $"{subnet}.1/24", device, $"{subnet}.2/24");

        await using var server = await ServerProcess.StartAsync(null,
            new()
            {
                ["Peercall__Https__Port"] = HttpsPort.ToString(),
                ["Peercall__Https__HttpPort"] = HttpPort.ToString(),
                ["Peercall__Https__CheckInterval"] = "00:00:01",
            },
            command: machine.Exec("dotnet", Repository.ServerDll),
            isReady: async () => (await machine.RunAsync(Quick, curl, "-sf", $"http://127.0.0.1:{HttpPort}/healthz")).ExitCode == 0);
        var ca = Path.Combine(server.DataDirectory, "data", "certificates", "ca.crt");

        var https = await device.RunAsync(Quick, curl, "-sS", "--cacert", ca, $"https://{subnet}.1:{HttpsPort}/healthz");
        Assert.True(https.ExitCode == 0 && https.Output.Trim() == "Healthy", $"HTTPS from the other device: {https}");

        var redirect = await device.RunAsync(Quick, curl, "-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
            $"http://{subnet}.1:{HttpPort}/calls?x=1");
        Assert.Equal($"307 https://{subnet}.1:{HttpsPort}/calls?x=1", redirect.Output.Trim());

        var download = await device.RunAsync(Quick, curl, "-sS", "-f", $"http://{subnet}.1:{HttpPort}/connect/peercall-ca.crt");
        Assert.Equal(File.ReadAllText(ca).Trim(), download.Output.Trim());

        // The machine gets a second address while the server runs.
        var added = $"{subnet}.5";
        Assert.DoesNotContain(added, CertificateAddresses(server));
        await machine.IpAsync("addr", "add", $"{added}/24", "dev", machine.Interfaces[0]);

        ProcessResult? last = null;
        for (var i = 0; i < 100; i++)
        {
            last = await device.RunAsync(Quick, curl, "-sS", "--cacert", ca, $"https://{added}:{HttpsPort}/healthz");
            if (last.ExitCode == 0) break;
            await Task.Delay(100);
        }
        Assert.True(last!.ExitCode == 0 && last.Output.Trim() == "Healthy", $"The new address was not covered within 10 s: {last}\n{server.Output}");
        Assert.Contains(added, CertificateAddresses(server));
        Assert.Contains("The HTTPS certificate was replaced", server.Output);
    }

    private static string[] CertificateAddresses(ServerProcess server) =>
        X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(server.DataDirectory, "data", "certificates", "server.crt")))
            .Extensions.OfType<X509SubjectAlternativeNameExtension>().Single()
            .EnumerateIPAddresses().Select(a => a.ToString()).ToArray();
}
