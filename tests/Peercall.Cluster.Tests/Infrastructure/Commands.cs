using System.Diagnostics;
using System.Text;

namespace Peercall.Cluster.Tests.Infrastructure;

/// <summary>Runs the outside programs the test services need, failing with their output when one fails.
/// Server.Tests links this file (for node and npm).</summary>
public static class Commands
{
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs a program to its end and returns what it printed; a non-zero exit is an error that says why.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = info };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{Describe(info)}' did not finish in time:\n{output}");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"'{Describe(info)}' failed with exit code {process.ExitCode}:\n{output}");
        return output.ToString();
    }

    /// <summary>Runs a program as <paramref name="user"/> when the tests run as root (PostgreSQL refuses to run as
    /// root), and as the current user otherwise. It starts in / because the user may not enter the current folder.</summary>
    public static Task<string> RunAsUserAsync(string user, string program, params string[] arguments) =>
        IsRoot
            ? RunAsync("su", [user, "-s", "/bin/sh", "-c", "cd / && " + string.Join(' ', new[] { program }.Concat(arguments).Select(Quote))])
            : RunAsync(program, arguments);

    /// <summary>The full path of a program from a Debian package, or an error that names the package.</summary>
    public static string Require(string program, string package, params string[] moreFolders)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(moreFolders);
        foreach (var folder in folders)
        {
            var path = Path.Combine(folder, program);
            if (File.Exists(path)) return path;
        }
        throw new InvalidOperationException(
            $"'{program}' is not installed. Install it with 'apt-get install {package}' (./test.sh does this when it is missing).");
    }

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''") + "'";

    private static string Describe(ProcessStartInfo info) => $"{info.FileName} {string.Join(' ', info.ArgumentList)}";
}
