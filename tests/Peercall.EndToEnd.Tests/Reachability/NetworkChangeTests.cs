using System.Diagnostics;
using Peercall.EndToEnd.Tests.Infrastructure;
using Peercall.EndToEnd.Tests.Measurements;
using Peercall.Reachability.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Reachability;

/// <summary>
/// A video call whose path breaks. Alice and Bob sit on two LAN segments joined by the server's machine, which
/// routes between them:
/// <code>
///   alice (10.R.1.2) ── 10.R.1.1 ┐ server machine: Peercall (HTTPS), routes between the segments
///   bob   (10.R.2.2) ── 10.R.2.1 ┘
/// </code>
/// Cutting the route (an iptables DROP on FORWARD in the server's namespace) stops all media between them while
/// both stay connected to the server, as when a Wi-Fi access point or a switch goes away for a while.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NetworkChangeTests(EndToEndFixture env)
{
    [Fact]
    public async Task A_call_rides_out_a_five_second_break_in_the_path_and_media_comes_back_within_three_seconds()
    {
        await using var call = await BrokenPathCall.StartAsync(env);
        var (alice, bob) = (call.Alice, call.Bob);

        await call.CutAsync();
        // The screens say so within about two seconds: a second without packets, read once a second.
        await Task.WhenAll(Expect(alice.CallScreen.GetByTestId("media-reconnecting")).ToBeVisibleAsync(new() { Timeout = 4_000 }),
            Expect(bob.CallScreen.GetByTestId("media-reconnecting")).ToBeVisibleAsync(new() { Timeout = 4_000 }));
        Console.WriteLine($"Reconnecting shown {call.CutFor.TotalMilliseconds:0} ms after the cut.");
        await call.WaitUntilCutFor(TimeSpan.FromSeconds(5));
        var restored = Stopwatch.StartNew();
        await call.RestoreAsync();

        await Task.WhenAll(alice.ExpectMediaFlowingAgainAsync(), bob.ExpectMediaFlowingAgainAsync());
        var back = restored.Elapsed;
        Assert.True(back < TimeSpan.FromSeconds(3), $"Media came back {back.TotalSeconds:0.0} s after the path did.");
        await Task.WhenAll(alice.ExpectVideoAsync("remote-camera", Colour.Blue), bob.ExpectVideoAsync("remote-camera", Colour.Red));
        Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);
        Assert.InRange(await alice.DominantFrequencyAsync(), 980, 1020);
        await Expect(alice.CallScreen.GetByTestId("media-reconnecting")).ToHaveCountAsync(0);
        await Expect(bob.CallScreen.GetByTestId("media-reconnecting")).ToHaveCountAsync(0);
        await Expect(alice.CallScreen).ToHaveAttributeAsync("data-phase", "active");
        await Expect(bob.CallScreen).ToHaveAttributeAsync("data-phase", "active");
        Console.WriteLine($"Media back {back.TotalMilliseconds:0} ms after the path; ICE restarts: alice " +
                          $"{await alice.IceRestartsAsync()}, bob {await bob.IceRestartsAsync()}");
    }

    [Fact]
    public async Task A_call_whose_path_stays_broken_past_the_bound_ends_on_both_sides_saying_the_media_was_lost()
    {
        await using var call = await BrokenPathCall.StartAsync(env);
        var (alice, bob) = (call.Alice, call.Bob);

        await call.CutAsync();
        // The path keeps being tried (ICE restarts) while the call waits out the bound.
        await Eventually.HoldsAsync(async () => await alice.IceRestartsAsync() + await bob.IceRestartsAsync() >= 2,
            TimeSpan.FromSeconds(25), "ICE restarts while the path is cut");
        await Task.WhenAll(
            Expect(alice.CallScreen).ToHaveCountAsync(0, new() { Timeout = 45_000 }),
            Expect(bob.CallScreen).ToHaveCountAsync(0, new() { Timeout = 45_000 }));
        Assert.True(call.CutFor > TimeSpan.FromSeconds(28), $"The call ended {call.CutFor.TotalSeconds:0.0} s after the cut.");
        await Expect(alice.Notice).ToContainTextAsync("did not come back");
        await Expect(bob.Notice).ToContainTextAsync("did not come back");
        Assert.Equal(0, await alice.LiveTracksAsync());
        Assert.Equal(0, await bob.LiveTracksAsync());
    }

    [Fact]
    public async Task A_call_carries_on_when_a_device_moves_to_another_address()
    {
        await using var call = await BrokenPathCall.StartAsync(env);
        var (alice, bob) = (call.Alice, call.Bob);

        // Alice's laptop joins another network, as when it roams to another Wi-Fi: her old address goes away, so
        // only new ICE candidates (an ICE restart) can carry the call; her realtime connection reconnects too.
        var moved = Stopwatch.StartNew();
        await call.MoveAliceAsync();

        try
        {
            await Task.WhenAll(alice.ExpectMediaFlowingAgainAsync(TimeSpan.FromSeconds(25)),
                bob.ExpectMediaFlowingAgainAsync(TimeSpan.FromSeconds(25)));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new Xunit.Sdk.XunitException(
                $"{e.Message}\nThe server's last lines:\n{string.Join('\n', call.Server.Output.Split('\n').TakeLast(40))}");
        }
        Console.WriteLine($"Media back {moved.ElapsedMilliseconds} ms after Alice moved; ICE restarts: alice " +
                          $"{await alice.IceRestartsAsync()}, bob {await bob.IceRestartsAsync()}");
        await Task.WhenAll(alice.ExpectVideoAsync("remote-camera", Colour.Blue), bob.ExpectVideoAsync("remote-camera", Colour.Red));
        Assert.InRange(await bob.DominantFrequencyAsync(), 420, 460);
        Assert.InRange(await alice.DominantFrequencyAsync(), 980, 1020);
        Assert.Equal(call.AliceNewAddress, (await alice.StatsAsync())?.Pair?.LocalAddress);
        await Expect(alice.CallScreen).ToHaveAttributeAsync("data-phase", "active");
        await Expect(bob.CallScreen).ToHaveAttributeAsync("data-phase", "active");
    }

    /// <summary>For docs/measurements-web.md: seven 5-second cuts in one call, and how long after each the media
    /// flowed both ways again. <code>PEERCALL_MEASURE=1 dotnet test tests/Peercall.EndToEnd.Tests --filter
    /// FullyQualifiedName~NetworkChangeTests.Measure</code></summary>
    [MeasurementFact]
    public async Task Measure_media_back_after_the_path_returns()
    {
        await using var call = await BrokenPathCall.StartAsync(env);
        var back = new List<double>();
        for (var run = 0; run < 7; run++)
        {
            await call.CutAsync();
            await call.WaitUntilCutFor(TimeSpan.FromSeconds(5));
            var restored = Stopwatch.StartNew();
            await call.RestoreAsync();
            await Task.WhenAll(call.Alice.ExpectMediaFlowingAgainAsync(), call.Bob.ExpectMediaFlowingAgainAsync());
            back.Add(restored.Elapsed.TotalMilliseconds);
            await Task.Delay(3_000);
        }
        var sorted = back.Order().ToList();
        var text = $"Path back → audio and video flowing both ways again, 7 cuts of 5 s: median {sorted[3]:0} ms, " +
                   $"min {sorted[0]:0} ms, max {sorted[^1]:0} ms; all runs {string.Join(", ", back.Select(b => b.ToString("0")))}; " +
                   $"ICE restarts: alice {await call.Alice.IceRestartsAsync()}, bob {await call.Bob.IceRestartsAsync()}";
        Console.WriteLine(text);
        await File.WriteAllTextAsync(Repository.Artifacts("measurements-path.md"), text + "\n");
    }

    /// <summary>Alice (red, 440 Hz) and Bob (blue, 1000 Hz) in a video call across the server's machine.</summary>
    private sealed class BrokenPathCall : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _owned = [];
        private readonly string _folder;
        private NetworkNamespace _machine = null!;
        private NetworkNamespace _homeA = null!;
        private int _subnet;
        private Stopwatch? _cut;

        private BrokenPathCall(string folder) => _folder = folder;

        public Person Alice { get; private set; } = null!;
        public Person Bob { get; private set; } = null!;
        public NamespacedServer Server { get; private set; } = null!;
        public TimeSpan CutFor => _cut?.Elapsed ?? TimeSpan.Zero;

        public static async Task<BrokenPathCall> StartAsync(EndToEndFixture env)
        {
            var call = new BrokenPathCall(Directory.CreateTempSubdirectory("peercall-path-").FullName);
            try
            {
                await call.SetUpAsync(env);
                return call;
            }
            catch
            {
                await call.DisposeAsync();
                throw;
            }
        }

        private async Task SetUpAsync(EndToEndFixture env)
        {
            var r = _subnet = Random.Shared.Next(1, 250);
            _machine = await Own(NetworkNamespace.CreateAsync("srv"));
            var homeA = _homeA = await Own(NetworkNamespace.CreateAsync("alice"));
            var homeB = await Own(NetworkNamespace.CreateAsync("bob"));
            await NetworkNamespace.LinkAsync(_machine, $"10.{r}.1.1/24", homeA, $"10.{r}.1.2/24");
            await NetworkNamespace.LinkAsync(_machine, $"10.{r}.2.1/24", homeB, $"10.{r}.2.2/24");
            await homeA.IpAsync("route", "add", "default", "via", $"10.{r}.1.1");
            await homeB.IpAsync("route", "add", "default", "via", $"10.{r}.2.1");
            await CheckedAsync("sysctl", "-w", "net.ipv4.ip_forward=1");

            var server = Server = await Own(NamespacedServer.StartAsync(_machine, _folder));
            Alice = await Own(Person.LaunchAsync(env, "alice", new BrowserOptions(ToneHertz: 440, Camera: Colour.Red,
                ExecutablePath: NamespacedServer.ChromiumIn(homeA, _folder), ExtraArgs: [server.TrustFlag]),
                baseAddress: server.BaseAddress($"10.{r}.1.1")));
            Bob = await Own(Person.LaunchAsync(env, "bob", new BrowserOptions(ToneHertz: 1000, Camera: Colour.Blue,
                ExecutablePath: NamespacedServer.ChromiumIn(homeB, _folder), ExtraArgs: [server.TrustFlag]),
                baseAddress: server.BaseAddress($"10.{r}.2.1")));
            await Alice.RegisterThroughUiAsync();
            await Bob.RegisterThroughUiAsync();

            await Alice.VideoCallAsync(Bob);
            await Expect(Bob.IncomingCall).ToBeVisibleAsync();
            await Bob.IncomingCall.GetByTestId("accept").ClickAsync();
            await Task.WhenAll(Alice.ExpectAudioArrivedAsync(15_000), Bob.ExpectAudioArrivedAsync(15_000));
            await Task.WhenAll(Alice.ExpectVideoAsync("remote-camera", Colour.Blue), Bob.ExpectVideoAsync("remote-camera", Colour.Red));
            foreach (var person in new[] { Alice, Bob })
            {
                var stats = await person.StatsAsync();
                Assert.True(stats?.Pair is { LocalType: "host", RemoteType: "host" },
                    $"{person.Username}'s selected pair is {stats?.Pair}: media does not take the route the test cuts.");
            }
        }

        public async Task CutAsync()
        {
            await CheckedAsync(Iptables, "-I", "FORWARD", "-j", "DROP");
            _cut = Stopwatch.StartNew();
        }

        public async Task WaitUntilCutFor(TimeSpan span)
        {
            var left = span - CutFor;
            if (left > TimeSpan.Zero) await Task.Delay(left);
        }

        public Task RestoreAsync() => CheckedAsync(Iptables, "-D", "FORWARD", "-j", "DROP");

        public string AliceNewAddress => $"10.{_subnet}.3.2";

        /// <summary>Alice's side of her link gets an address on another subnet, routed by the server's machine,
        /// and loses the one her call was using.</summary>
        public async Task MoveAliceAsync()
        {
            await _machine.IpAsync("addr", "add", $"10.{_subnet}.3.1/24", "dev", _machine.Interfaces[0]);
            await _homeA.IpAsync("addr", "add", $"{AliceNewAddress}/24", "dev", _homeA.Interfaces[0]);
            await _homeA.IpAsync("addr", "del", $"10.{_subnet}.1.2/24", "dev", _homeA.Interfaces[0]);
            await _homeA.IpAsync("route", "replace", "default", "via", $"10.{_subnet}.3.1");
        }

        public async ValueTask DisposeAsync()
        {
            // Browsers and server first, then the namespaces.
            for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }

        private static string Iptables => ExternalProcess.Require("iptables", "iptables");

        private async Task<T> Own<T>(Task<T> starting) where T : IAsyncDisposable
        {
            var owned = await starting;
            _owned.Add(owned);
            return owned;
        }

        private async Task CheckedAsync(params string[] command)
        {
            var result = await _machine.RunAsync(TimeSpan.FromSeconds(30), command);
            if (result.ExitCode != 0)
                throw new InvalidOperationException($"'{string.Join(' ', command)}' in {_machine.Name} failed: {result}");
        }
    }
}
