using System.Diagnostics;
using System.Globalization;
using System.Text;
using Peercall.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Measurements;

/// <summary>
/// The group-call numbers in docs/measurements-web.md: how long from an added person's Accept click until all four
/// people hear each other, and how much processor each browser uses in a mesh of four, with audio alone and with
/// every camera on. Results go to the test output and to artifacts/e2e/measurements-group.md.
/// <code>PEERCALL_MEASURE=1 dotnet test tests/Peercall.EndToEnd.Tests --filter FullyQualifiedName~GroupCallMeasurements</code>
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class GroupCallMeasurements(EndToEndFixture env, ITestOutputHelper output)
{
    private const int JoinRuns = 5;
    private static readonly TimeSpan CpuWindow = TimeSpan.FromSeconds(10);
    private static readonly int[] Hertz = [440, 1000, 700, 1500];
    private static readonly Colour?[] Cameras = [Colour.Red, Colour.Blue, Colour.Green, null];
    private static readonly string[] Names = ["alice", "bob", "carol", "dave"];

    [MeasurementFact]
    public async Task Joining_and_the_processor_of_a_mesh_of_four()
    {
        var people = new List<Person>();
        try
        {
            for (var i = 0; i < 4; i++)
                people.Add(await Person.LaunchAsync(env, Names[i],
                    new BrowserOptions(ToneHertz: Hertz[i], Camera: Cameras[i], VoiceProcessing: true)));
            await Task.WhenAll(people.Select(p => p.SignUpAsync()));
            var (alice, bob, carol, dave) = (people[0], people[1], people[2], people[3]);

            await alice.CallAsync(bob);
            await bob.IncomingCall.GetByTestId("accept").ClickAsync();
            await alice.AddToCallAsync(carol);
            await carol.IncomingCall.GetByTestId("accept").ClickAsync();
            await Task.WhenAll(people.Take(3).Select(p => p.ExpectHearingAsync(OthersOf(p, people.Take(3)))));

            var report = new StringBuilder();
            report.AppendLine($"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, " +
                              "Chromium with voice processing on, server published with -c Release.");
            report.AppendLine();
            report.AppendLine($"## A fourth person joins: Accept click → all four hear each other ({JoinRuns} joins)");
            report.AppendLine();
            report.AppendLine("| median | min | max | all runs (ms) |");
            report.AppendLine("|---|---|---|---|");
            var joins = new List<double>();
            for (var run = 0; run < JoinRuns; run++)
            {
                await bob.AddToCallAsync(dave);
                await Expect(dave.IncomingCall).ToBeVisibleAsync();
                var clicked = Stopwatch.StartNew();
                await dave.IncomingCall.GetByTestId("accept").ClickAsync();
                await Task.WhenAll(people.Select(p => HearsAllAsync(p, OthersOf(p, people))));
                joins.Add(clicked.Elapsed.TotalMilliseconds);
                await dave.CallScreen.GetByTestId("hang-up").ClickAsync();
                await Expect(dave.CallScreen).ToHaveCountAsync(0);
                await Task.WhenAll(people.Take(3).Select(p => HearsAllAsync(p, OthersOf(p, people.Take(3)))));
            }
            var sorted = joins.Order().ToList();
            report.AppendLine($"| {Ms(sorted[sorted.Count / 2])} | {Ms(sorted[0])} | {Ms(sorted[^1])} | " +
                              $"{string.Join(", ", joins.Select(j => j.ToString("0", CultureInfo.InvariantCulture)))} |");

            await bob.AddToCallAsync(dave);
            await dave.IncomingCall.GetByTestId("accept").ClickAsync();
            await Task.WhenAll(people.Select(p => p.ExpectHearingAsync(OthersOf(p, people))));
            report.AppendLine();
            report.AppendLine($"## Processor of each browser in a mesh of four, over {CpuWindow.TotalSeconds:0} s (100 % = one core)");
            report.AppendLine();
            report.AppendLine("| media | " + string.Join(" | ", people.Select(p => p.DisplayName)) + " | all four |");
            report.AppendLine("|---|---|---|---|---|---|");
            report.AppendLine(await CpuRowAsync("audio", people));

            foreach (var person in people) await person.CallScreen.GetByTestId("camera").ClickAsync();
            foreach (var person in people)
                foreach (var other in people.Where(o => o != person))
                    await Expect(person.Tile(other).GetByTestId("tile-video")).ToBeVisibleAsync();
            await Task.Delay(TimeSpan.FromSeconds(3));
            report.AppendLine(await CpuRowAsync("audio and four cameras (each sent at 360p to three)", people));

            var text = report.ToString();
            output.WriteLine(text);
            await File.WriteAllTextAsync(Repository.Artifacts("measurements-group.md"), text);
        }
        finally
        {
            foreach (var person in people) await person.DisposeAsync();
        }
    }

    private static int[] OthersOf(Person person, IEnumerable<Person> everyone) =>
        everyone.Where(p => p != person).Select(ToneOf).ToArray();

    private static int ToneOf(Person person) => Hertz[Array.FindIndex(Names, n => person.Username.StartsWith(n, StringComparison.Ordinal))];

    /// <summary>Polls (every 50 ms, no settling delay) until a person hears exactly these tones.</summary>
    private static async Task HearsAllAsync(Person person, int[] hertz)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < until)
        {
            if (RemoteTone.AreExactly(await person.RemoteTonesAsync(), hertz, minimumRms: 0.005)) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"{person.DisplayName} did not hear {string.Join(", ", hertz)} Hz within 20 s.");
    }

    private static async Task<string> CpuRowAsync(string media, IReadOnlyList<Person> people)
    {
        var roots = people.Select(p => BrowserRoot(ToneOf(p))).ToList();
        var before = roots.Select(CpuTicks).ToList();
        await Task.Delay(CpuWindow);
        var after = roots.Select(CpuTicks).ToList();
        var percent = before.Zip(after, (b, a) => (a - b) / (double)ClockTicksPerSecond / CpuWindow.TotalSeconds * 100).ToList();
        return $"| {media} | {string.Join(" | ", percent.Select(Pct))} | {Pct(percent.Sum())} |";
    }

    private const long ClockTicksPerSecond = 100;

    /// <summary>The browser process whose fake microphone plays this tone: each person's has its own file.</summary>
    private static int BrowserRoot(int hertz)
    {
        var tone = Tones.Wav(hertz);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            if (commandLine.Contains($"--use-file-for-fake-audio-capture={tone}") && !commandLine.Contains("--type=")) return pid;
        }
        throw new InvalidOperationException($"No browser plays {tone}.");
    }

    /// <summary>User and system time of a process and all its descendants, in clock ticks.</summary>
    private static long CpuTicks(int root)
    {
        var parents = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                ticks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
            }
        }
        bool Under(int pid)
        {
            for (var p = pid; p > 1; p = parents.GetValueOrDefault(p))
                if (p == root) return true;
            return false;
        }
        return ticks.Where(t => Under(t.Key)).Sum(t => t.Value);
    }

    private static string Ms(double value) => $"{value.ToString("0", CultureInfo.InvariantCulture)} ms";

    private static string Pct(double value) => $"{value.ToString("0", CultureInfo.InvariantCulture)} %";
}
