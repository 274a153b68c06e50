using System.Globalization;
using System.Text;
using System.Text.Json;
using Peercall.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Measurements;

/// <summary>
/// The numbers in docs/measurements-web.md: voice and video call setup time, and the app's first render time and transfer size,
/// cold and warm. Results go to the test output and to artifacts/e2e/measurements-web.md.
/// <code>PEERCALL_MEASURE=1 dotnet test tests/Peercall.EndToEnd.Tests --filter FullyQualifiedName~WebMeasurements</code>
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WebMeasurements(EndToEndFixture env, ITestOutputHelper output)
{
    private const int CallRuns = 7;
    private const int LoadRuns = 5;

    // Marks when the sign-in form and the contact list first exist, from the page's own clock.
    private const string RenderProbe = """
        (() => {
          const marks = window.__peercallRender = {};
          new MutationObserver(() => {
            if (!marks.signIn && document.querySelector('[data-test=signin-form]')) marks.signIn = performance.now();
            if (!marks.contacts && document.querySelector('[data-test=contacts], [data-test=no-contacts]'))
              marks.contacts = performance.now();
          }).observe(document, { childList: true, subtree: true });
        })();
        """;

    // Bytes that crossed the network (transferSize) and their decoded size, for everything requested up to a mark.
    private const string TransferProbe = """
        (mark) => {
          const until = window.__peercallRender[mark];
          const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
            .filter(e => e.startTime <= until);
          return {
            renderMs: until,
            transferBytes: entries.reduce((sum, e) => sum + (e.transferSize ?? 0), 0),
            decodedBytes: entries.reduce((sum, e) => sum + (e.decodedBodySize ?? 0), 0),
            requests: entries.length,
          };
        }
        """;

    [MeasurementFact]
    public async Task Call_setup_and_app_load()
    {
        var report = new StringBuilder();
        report.AppendLine($"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, " +
                          $"Chromium {await ChromiumVersionAsync()}, server published with -c Release.");
        report.AppendLine();
        await MeasureCallSetupAsync(report, video: false);
        report.AppendLine();
        await MeasureCallSetupAsync(report, video: true);
        report.AppendLine();
        await MeasureLoadAsync(report);

        var text = report.ToString();
        output.WriteLine(text);
        await File.WriteAllTextAsync(Repository.Artifacts("measurements-web.md"), text);
    }

    /// <summary>Seven calls, voice or video, with real-user settings (voice processing on): from the callee's
    /// Accept click to the first inbound audio packet and, for video, the first decoded frame, on each side.</summary>
    private async Task MeasureCallSetupAsync(StringBuilder report, bool video)
    {
        await using var people = await TwoPeople.SignUpAsync(env, cameras: video, voiceProcessing: true);
        var (alice, bob) = people;

        var samples = new Dictionary<string, List<double>>();
        void Add(string row, double value) => (samples.TryGetValue(row, out var list) ? list : samples[row] = []).Add(value);
        for (var run = 0; run < CallRuns; run++)
        {
            await (video ? alice.VideoCallAsync(bob) : alice.CallAsync(bob));
            await Expect(bob.IncomingCall).ToBeVisibleAsync();
            await MarkAcceptAsync(bob);
            await bob.IncomingCall.GetByTestId("accept").ClickAsync();
            await Task.WhenAll(alice.ExpectAudioArrivedAsync(), bob.ExpectAudioArrivedAsync());
            if (video)
                await Task.WhenAll(alice.ExpectVideoAsync("remote-camera", Colour.Blue), bob.ExpectVideoAsync("remote-camera", Colour.Red));
            var acceptedAt = await bob.Page.EvaluateAsync<double>("() => window.__acceptedAt");
            foreach (var (side, person) in new[] { ("callee (clicked Accept)", bob), ("caller", alice) })
            {
                Add($"{side}, audio", (await person.FirstInboundPacketAtAsync())!.Value - acceptedAt);
                if (video) Add($"{side}, video", (await person.FirstVideoFrameAtAsync())!.Value - acceptedAt);
            }

            await alice.CallScreen.GetByTestId("hang-up").ClickAsync();
            await Expect(bob.CallScreen).ToHaveCountAsync(0);
            await bob.Page.GetByTestId("dismiss-notice").ClickAsync();
            await alice.Page.GetByTestId("dismiss-notice").ClickAsync();
        }

        report.AppendLine(video
            ? $"## Video call setup: Accept click → first inbound audio packet / first decoded video frame ({CallRuns} calls)"
            : $"## Call setup: Accept click → first inbound audio packet ({CallRuns} calls)");
        report.AppendLine();
        report.AppendLine("| side | median | min | max | all runs (ms) |");
        report.AppendLine("|---|---|---|---|---|");
        foreach (var (row, values) in samples) report.AppendLine(Row(row, values));
    }

    private static Task MarkAcceptAsync(Person callee) => callee.Page.EvaluateAsync("""
        () => document.querySelector('[data-test=accept]').addEventListener('click',
          () => window.__acceptedAt = performance.timeOrigin + performance.now(), { capture: true, once: true })
        """);

    private async Task MeasureLoadAsync(StringBuilder report)
    {
        await using var someone = await Person.LaunchAsync(env, "loader");
        await someone.RegisterThroughApiAsync();
        var browser = someone.Browser;

        var coldSignIn = new List<LoadSample>();
        var warmSignIn = new List<LoadSample>();
        var warmContacts = new List<LoadSample>();
        for (var run = 0; run < LoadRuns; run++)
        {
            // A new context has an empty HTTP cache, no service worker and no storage: a first visit.
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = env.Server.BaseAddress.ToString(),
                Locale = "en-US",
                ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            });
            await context.AddInitScriptAsync(RenderProbe);
            var page = await context.NewPageAsync();

            await page.GotoAsync("signin");
            coldSignIn.Add(await SampleAsync(page, "signIn"));
            await page.EvaluateAsync("async () => { await navigator.serviceWorker.ready; }");
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

            await page.ReloadAsync();
            warmSignIn.Add(await SampleAsync(page, "signIn"));

            await page.GetByTestId("username").FillAsync(someone.Username);
            await page.GetByTestId("password").FillAsync(Person.Password);
            await page.GetByTestId("submit").ClickAsync();
            await Expect(page.GetByTestId("me")).ToBeVisibleAsync();
            await page.ReloadAsync();
            warmContacts.Add(await SampleAsync(page, "contacts"));
        }

        report.AppendLine($"## App load ({LoadRuns} runs each, medians)");
        report.AppendLine();
        report.AppendLine("| load | first render | transferred | decoded | requests |");
        report.AppendLine("|---|---|---|---|---|");
        report.AppendLine(LoadRow("cold: first visit, sign-in form", coldSignIn));
        report.AppendLine(LoadRow("warm: reload, sign-in form", warmSignIn));
        report.AppendLine(LoadRow("warm: reload signed in, contact list", warmContacts));
        report.AppendLine();
        report.AppendLine("First render is measured from navigation start to the first frame holding the form or the list; " +
                          "transferred counts the bytes that crossed the network for every request made until then " +
                          "(Brotli-compressed; 0 for what the HTTP cache or the service worker served).");
    }

    private static async Task<LoadSample> SampleAsync(IPage page, string mark)
    {
        await page.WaitForFunctionAsync($"() => window.__peercallRender?.{mark} !== undefined",
            null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        var sample = await page.EvaluateAsync<JsonElement>(TransferProbe, mark);
        return sample.Deserialize<LoadSample>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    private async Task<string> ChromiumVersionAsync()
    {
        await using var probe = await Person.LaunchAsync(env, "probe");
        return probe.Browser.Version;
    }

    private static string Row(string name, List<double> values)
    {
        var sorted = values.Order().ToList();
        return $"| {name} | {Ms(Median(sorted))} | {Ms(sorted[0])} | {Ms(sorted[^1])} | " +
               $"{string.Join(", ", values.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))} |";
    }

    private static string LoadRow(string name, List<LoadSample> samples) =>
        $"| {name} | {Ms(Median(samples.Select(s => s.RenderMs)))} | " +
        $"{Kb(Median(samples.Select(s => (double)s.TransferBytes)))} | " +
        $"{Kb(Median(samples.Select(s => (double)s.DecodedBytes)))} | " +
        $"{Median(samples.Select(s => (double)s.Requests)):0} |";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1
            ? sorted[sorted.Count / 2]
            : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Ms(double value) => $"{value.ToString("0", CultureInfo.InvariantCulture)} ms";

    private static string Kb(double bytes) => $"{(bytes / 1024).ToString("0", CultureInfo.InvariantCulture)} KB";

    public sealed record LoadSample(double RenderMs, long TransferBytes, long DecodedBytes, int Requests);
}
