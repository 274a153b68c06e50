using System.Collections.Concurrent;
using System.Diagnostics;

namespace Peercall.EndToEnd.Tests.Infrastructure;

/// <summary>Sine-tone WAV files made with sox, one per frequency, for Chromium's fake microphone.</summary>
public static class Tones
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "peercall-e2e-tones");
    private static readonly ConcurrentDictionary<int, Lazy<string>> Files = new();

    public static string Wav(int hertz) => Files.GetOrAdd(hertz, h => new Lazy<string>(() => Make(h))).Value;

    private static string Make(int hertz)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, $"tone-{hertz}hz.wav");
        if (File.Exists(path)) return path;
        var partial = path + ".partial.wav";
        using var sox = Process.Start(new ProcessStartInfo("sox",
            ["-n", "-r", "48000", "-c", "1", "-b", "16", partial, "synth", "30", "sine", hertz.ToString(), "vol", "0.5"])
        {
            RedirectStandardError = true,
        })!;
        var error = sox.StandardError.ReadToEnd();
        sox.WaitForExit();
        if (sox.ExitCode != 0) throw new InvalidOperationException($"sox failed: {error}");
        File.Move(partial, path, overwrite: true);
        return path;
    }
}
