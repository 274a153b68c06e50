using System.Security.Cryptography;
using Peercall.EndToEnd.Tests.Infrastructure;
using Peercall.Reachability.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Reachability;

/// <summary>
/// Two browsers behind two separate NATs call each other through coturn. The test builds the networks out of
/// Linux network namespaces:
/// <code>
///   alice (10.R.1.2) ── routerA (NAT) ── 198.18.R.0/24 ──┐
///                                                       public: Peercall server (HTTPS) + coturn, 198.18.R.1
///   bob   (10.R.2.2) ── routerB (NAT) ── 198.19.R.0/24 ──┘
/// </code>
/// Each router masquerades with <c>--random-fully</c> (a symmetric NAT: a new public port per destination, so
/// STUN-learned addresses are useless to the other side), the public namespace does not forward, and each router
/// lets UDP out only to TURN's listening port. Without that last rule the browsers settled on relay on one side
/// and a peer-reflexive NAT address on the other (one browser sending straight to the other's relay address,
/// which coturn's IP-only permissions allow): still through TURN, but not the relay-to-relay path asserted here.
/// The server keeps the default ICE transport policy ("all"): the browsers try every candidate and only the
/// relay pair can work. Each Chromium runs inside its private namespace through a wrapper script given to
/// Playwright as the executable (Playwright talks to it over pipes, which
/// cross namespaces). Needs root; when the kernel refuses namespaces the test fails and says so.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NatCallTests(EndToEndFixture env)
{
    private const int TurnPort = 3478;

    [Fact]
    public async Task Two_browsers_behind_separate_symmetric_nats_talk_through_turn()
    {
        var iptables = ExternalProcess.Require("iptables", "iptables");
        var bash = ExternalProcess.Require("bash", "bash");
        var r = Random.Shared.Next(1, 250);
        string serverAddress = $"198.18.{r}.1";
        var folder = Directory.CreateTempSubdirectory("peercall-nat-").FullName;
        try
        {
            // Disposed in reverse order: browsers, server and coturn first, then the namespaces.
            await using var publicSide = await NetworkNamespace.CreateAsync("pub");
            await using var routerA = await NetworkNamespace.CreateAsync("rta");
            await using var routerB = await NetworkNamespace.CreateAsync("rtb");
            await using var homeA = await NetworkNamespace.CreateAsync("alice");
            await using var homeB = await NetworkNamespace.CreateAsync("bob");

            await NetworkNamespace.LinkAsync(publicSide, $"{serverAddress}/24", routerA, $"198.18.{r}.2/24");
            await NetworkNamespace.LinkAsync(publicSide, $"198.19.{r}.1/24", routerB, $"198.19.{r}.2/24");
            await NetworkNamespace.LinkAsync(routerA, $"10.{r}.1.1/24", homeA, $"10.{r}.1.2/24");
            await NetworkNamespace.LinkAsync(routerB, $"10.{r}.2.1/24", homeB, $"10.{r}.2.2/24");
            await homeA.IpAsync("route", "add", "default", "via", $"10.{r}.1.1");
            await homeB.IpAsync("route", "add", "default", "via", $"10.{r}.2.1");
            await routerA.IpAsync("route", "add", "default", "via", serverAddress);
            await routerB.IpAsync("route", "add", "default", "via", $"198.19.{r}.1");
            foreach (var router in new[] { routerA, routerB })
            {
                await Checked(router, "sysctl", "-w", "net.ipv4.ip_forward=1");
                await Checked(router, iptables, "-t", "nat", "-A", "POSTROUTING", "-o", router.Interfaces[0], "-j",
                    "MASQUERADE", "--random-fully");
                // UDP leaves the private network only towards TURN's listening port: a browser cannot even send
                // to the other side's relay address, so the one path left is relay to relay through coturn.
                await Checked(router, iptables, "-A", "FORWARD", "-o", router.Interfaces[0], "-p", "udp", "!",
                    "--dport", TurnPort.ToString(), "-j", "DROP");
            }
            await Checked(publicSide, "sysctl", "-w", "net.ipv4.ip_forward=0");

            var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
            await using var coturn = await StartCoturnAsync(publicSide, serverAddress, secret, folder, bash);

            await using var server = await NamespacedServer.StartAsync(publicSide, folder, new Dictionary<string, string>
            {
                ["Peercall__Ice__Turn__Urls__0"] = $"turn:{serverAddress}:{TurnPort}?transport=udp",
                ["Peercall__Ice__Turn__SharedSecret"] = secret,
            });

            // Real HTTPS on a non-loopback address, trusted through the server certificate's SPKI hash (see
            // NamespacedServer.TrustFlag), hence a secure context: no --unsafely-treat-insecure-origin-as-secure.
            var trust = server.TrustFlag;
            var baseAddress = server.BaseAddress(serverAddress);
            await using var alice = await Person.LaunchAsync(env, "alice",
                new BrowserOptions(ToneHertz: 440, ExecutablePath: NamespacedServer.ChromiumIn(homeA, folder), ExtraArgs: [trust]),
                baseAddress: baseAddress);
            await using var bob = await Person.LaunchAsync(env, "bob",
                new BrowserOptions(ToneHertz: 1000, ExecutablePath: NamespacedServer.ChromiumIn(homeB, folder), ExtraArgs: [trust]),
                baseAddress: baseAddress);
            // The test process cannot reach the public namespace, so the users register in their browsers.
            await alice.RegisterThroughUiAsync();
            await bob.RegisterThroughUiAsync();
            foreach (var person in new[] { alice, bob })
                Assert.True(await person.Page.EvaluateAsync<bool>("() => window.isSecureContext"),
                    $"{person.Username}'s page on {baseAddress} is not a secure context.");

            await alice.CallAsync(bob);
            await Expect(bob.IncomingCall).ToBeVisibleAsync();
            await bob.IncomingCall.GetByTestId("accept").ClickAsync();
            await Task.WhenAll(alice.ExpectAudioArrivedAsync(20_000), bob.ExpectAudioArrivedAsync(20_000));

            await CallAssertions.HearEachOtherThroughRelayAsync(alice, bob, () => coturn.Output);
            await alice.CallScreen.GetByTestId("hang-up").ClickAsync();
            await Expect(bob.CallScreen).ToHaveCountAsync(0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task Checked(NetworkNamespace space, params string[] command)
    {
        var result = await space.RunAsync(TimeSpan.FromSeconds(30), command);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"'{string.Join(' ', command)}' in {space.Name} failed: {result}");
    }

    /// <summary>Coturn in the public namespace, on the server's address, with the test's secret.</summary>
    private static async Task<NamespacedProcess> StartCoturnAsync(NetworkNamespace space, string address, string secret,
        string folder, string bash)
    {
        var turnserver = ExternalProcess.Require("turnserver", "coturn");
        var config = Path.Combine(folder, "turnserver.conf");
        await File.WriteAllLinesAsync(config,
        [
            $"listening-ip={address}",
            $"relay-ip={address}",
            $"listening-port={TurnPort}",
            "min-port=49160",
            "max-port=49260",
            "use-auth-secret",
            $"static-auth-secret={secret}",
            "realm=peercall.test",
            "fingerprint",
            "no-tls",
            "no-dtls",
            "no-cli",
            "no-multicast-peers",
            // As an internet-facing coturn should: no relaying into private networks. Here it also matters because
            // the public side has no route to the browsers' host candidates, and coturn, getting "Network is
            // unreachable" sending there, otherwise drops the relay socket and the call fails.
            "denied-peer-ip=10.0.0.0-10.255.255.255",
            $"userdb={Path.Combine(folder, "turndb")}",
            $"pidfile={Path.Combine(folder, "turnserver.pid")}",
            "log-file=stdout",
            "simple-log",
        ]);
        return await NamespacedProcess.StartAsync(space, [turnserver, "-c", config], null, folder,
            async () => (await space.RunAsync(TimeSpan.FromSeconds(10), bash, "-c",
                $"exec 3<>/dev/tcp/{address}/{TurnPort}")).ExitCode == 0,
            "coturn");
    }
}
