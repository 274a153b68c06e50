using System.Diagnostics;
using System.Text.Json;

namespace Peercall.Bench.Tests;

/// <summary>
/// The benchmark's quick mode as a smoke test: every scenario runs against both servers, every connection opens,
/// every signal arrives and every client comes back after the restart. No timing is asserted: speed is read from
/// the benchmark's own numbers. It runs on its own after the other suites (see test.sh), as it loads the machine.
/// </summary>
[Trait("Category", "BenchSmoke")]
public sealed class QuickModeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Quick_mode_runs_every_scenario_against_both_servers()
    {
        var output = Path.Combine(Path.GetTempPath(), "peercall-bench-quick", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(BenchSettings).Assembly.Location, "--mode", "quick", "--out", output },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var bench = Process.Start(start)!;
        var log = bench.StandardOutput.ReadToEndAsync();
        var errors = bench.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await bench.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            bench.Kill(entireProcessTree: true);
            Assert.Fail($"The quick mode did not finish within {Patience.TotalMinutes} minutes.\n{await log}");
        }
        Assert.True(bench.ExitCode == 0, $"The quick mode exited with {bench.ExitCode}.\n{await log}\n{await errors}");

        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "quick.json")));
        foreach (var server in new[] { "peercall", "peerJs" })
        {
            var figures = results.RootElement.GetProperty(server);
            Assert.All(figures.GetProperty("idle").EnumerateArray(), step =>
            {
                Assert.Equal(0, step.GetProperty("failed").GetInt32());
                Assert.Equal(step.GetProperty("connections").GetInt32(), step.GetProperty("open").GetInt32());
            });
            Assert.All(figures.GetProperty("relay").EnumerateArray(), run =>
            {
                Assert.Equal(0, run.GetProperty("errors").GetInt32());
                Assert.Equal(run.GetProperty("sent").GetInt32(), run.GetProperty("received").GetInt32());
            });
        }
        var peercall = results.RootElement.GetProperty("peercall");
        Assert.All(peercall.GetProperty("fanOut").EnumerateArray(), f => Assert.Equal(0, f.GetProperty("missed").GetInt32()));
        var calls = peercall.GetProperty("calls");
        Assert.Equal(calls.GetProperty("attempts").GetInt32(), calls.GetProperty("rang").GetInt32());
        var storm = peercall.GetProperty("storm");
        Assert.Equal(storm.GetProperty("clients").GetInt32(), storm.GetProperty("back").GetInt32());
        Assert.Equal(0, storm.GetProperty("givenUp").GetInt32());
    }
}
