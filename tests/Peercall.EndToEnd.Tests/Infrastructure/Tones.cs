namespace Peercall.EndToEnd.Tests.Infrastructure;

/// <summary>Sine-tone WAV files made with sox, one per frequency, for Chromium's fake microphone.</summary>
public static class Tones
{
    public static string Wav(int hertz) => GeneratedMedia.File($"tone-{hertz}hz.wav", "sox", path =>
        ["-n", "-r", "48000", "-c", "1", "-b", "16", "-t", "wav", path, "synth", "30", "sine", hertz.ToString(), "vol", "0.5"]);
}
