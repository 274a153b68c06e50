using Peercall.EndToEnd.Tests.Infrastructure;
using Peercall.Reachability.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Reachability;

/// <summary>
/// Two devices on one LAN: the server in one network namespace, both browsers in another, linked by a veth
/// pair, so the app is opened on a real non-loopback address. Served over the server's automatic HTTPS and
/// trusted through the certificate's SPKI hash, the page is a secure context (plain http on that address would
/// not be) and a direct call there carries audio both ways.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LanHttpsCallTests(EndToEndFixture env)
{
    [Fact]
    public async Task Browsers_on_another_lan_device_get_a_secure_context_over_https_and_call_directly()
    {
        var subnet = $"10.78.{Random.Shared.Next(1, 250)}";
        var folder = Directory.CreateTempSubdirectory("peercall-lan-").FullName;
        try
        {
            await using var machine = await NetworkNamespace.CreateAsync("srv");
            await using var device = await NetworkNamespace.CreateAsync("dev");
            await NetworkNamespace.LinkAsync(machine, $"{subnet}.1/24", device, $"{subnet}.2/24");

            await using var server = await NamespacedServer.StartAsync(machine, folder);
            var baseAddress = server.BaseAddress($"{subnet}.1");
            var chromium = NamespacedServer.ChromiumIn(device, folder);
            await using var alice = await Person.LaunchAsync(env, "alice",
                new BrowserOptions(ToneHertz: 440, ExecutablePath: chromium, ExtraArgs: [server.TrustFlag]), baseAddress: baseAddress);
            await using var bob = await Person.LaunchAsync(env, "bob",
                new BrowserOptions(ToneHertz: 1000, ExecutablePath: chromium, ExtraArgs: [server.TrustFlag]), baseAddress: baseAddress);
            await alice.RegisterThroughUiAsync();
            await bob.RegisterThroughUiAsync();
            foreach (var person in new[] { alice, bob })
            {
                Assert.StartsWith(baseAddress.ToString(), person.Page.Url);
                Assert.True(await person.Page.EvaluateAsync<bool>("() => window.isSecureContext"),
                    $"{person.Username}'s page on {baseAddress} is not a secure context.");
            }

            await alice.CallAsync(bob);
            await Expect(bob.IncomingCall).ToBeVisibleAsync();
            await bob.IncomingCall.GetByTestId("accept").ClickAsync();
            await Task.WhenAll(alice.ExpectAudioArrivedAsync(15_000), bob.ExpectAudioArrivedAsync(15_000));
            Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);
            Assert.InRange(await alice.DominantFrequencyAsync(), 980, 1020);
            foreach (var person in new[] { alice, bob })
            {
                var stats = await person.StatsAsync();
                Assert.True(stats?.Pair is { LocalType: "host", RemoteType: "host" },
                    $"{person.Username}'s selected pair is {stats?.Pair}, not a direct host pair on the LAN.");
            }
            await alice.CallScreen.GetByTestId("hang-up").ClickAsync();
            await Expect(bob.CallScreen).ToHaveCountAsync(0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
