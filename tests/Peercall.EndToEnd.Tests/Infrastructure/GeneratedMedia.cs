using System.Collections.Concurrent;
using System.Diagnostics;

namespace Peercall.EndToEnd.Tests.Infrastructure;

/// <summary>Media files for Chromium's fake devices, made once by a tool from apt (sox, ffmpeg) and kept in the
/// temp folder for later runs. A file is written under another name and moved into place, so a run that stopped
/// half-way never leaves a broken one behind.</summary>
public static class GeneratedMedia
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "peercall-e2e-media");
    private static readonly ConcurrentDictionary<string, Lazy<string>> Files = new();

    /// <param name="arguments">The tool's arguments, given the path to write.</param>
    public static string File(string name, string tool, Func<string, string[]> arguments) =>
        Files.GetOrAdd(name, _ => new Lazy<string>(() => Make(name, tool, arguments))).Value;

    private static string Make(string name, string tool, Func<string, string[]> arguments)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name);
        if (System.IO.File.Exists(path)) return path;
        var partial = Path.Combine(Folder, $"partial-{name}");
        using var process = Process.Start(new ProcessStartInfo(tool, arguments(partial)) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {error}");
        System.IO.File.Move(partial, path, overwrite: true);
        return path;
    }
}
