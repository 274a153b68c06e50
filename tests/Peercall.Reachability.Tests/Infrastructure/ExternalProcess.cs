using System.Diagnostics;
using System.Text;

namespace Peercall.Reachability.Tests.Infrastructure;

public sealed record ProcessResult(int ExitCode, string Output)
{
    public override string ToString() => $"exit code {ExitCode}, output:\n{Output}";
}

/// <summary>Runs the outside programs the tests depend on (coturn, ip, iptables) and says plainly when one is
/// missing instead of letting a test pass or fail for an unrelated reason.</summary>
public static class ExternalProcess
{
    /// <summary>The full path of <paramref name="tool"/>, or a failure naming the Debian package to install.</summary>
    public static string Require(string tool, string package)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/sbin"))
        {
            var path = Path.Combine(folder, tool);
            if (File.Exists(path)) return path;
        }
        throw new InvalidOperationException(
            $"'{tool}' is not installed. Install it with 'apt-get install {package}' (./test.sh does this when it is missing).");
    }

    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Start(info, out var output);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', info.ArgumentList)}' did not finish within {timeout.TotalSeconds} s. Output:\n{output}");
        }
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, output.ToString());
    }

    /// <summary>Runs a command that must succeed; a failure carries the command and its output.</summary>
    public static async Task<string> RunCheckedAsync(string fileName, params string[] arguments)
    {
        var result = await RunAsync(fileName, arguments, TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"'{fileName} {string.Join(' ', arguments)}' failed: {result}");
        return result.Output;
    }

    /// <summary>Starts a long-running process whose standard output and error are collected into <paramref name="output"/>.</summary>
    public static Process Start(ProcessStartInfo info, out StringBuilder output)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var collected = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (collected) collected.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (collected) collected.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = collected;
        return process;
    }
}
