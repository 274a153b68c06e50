namespace Peercall.EndToEnd.Tests.Infrastructure;

/// <summary>A colour a fake camera shows, as 0–255 RGB.</summary>
public sealed record Colour(int R, int G, int B)
{
    public static readonly Colour Red = new(255, 0, 0);
    public static readonly Colour Green = new(0, 255, 0);
    public static readonly Colour Blue = new(0, 0, 255);

    public string Hex => $"{R:X2}{G:X2}{B:X2}";

    /// <summary>Close enough after YUV 4:2:0, VP8 and scaling (a few units per channel in practice).</summary>
    public bool IsCloseTo(double r, double g, double b) =>
        Math.Abs(r - R) < 60 && Math.Abs(g - G) < 60 && Math.Abs(b - B) < 60;

    public override string ToString() => $"#{Hex}";
}

/// <summary>MJPEG clips of one solid colour made with ffmpeg, one per colour, for Chromium's fake camera, which
/// plays the clip in a loop at the clip's size (a 720p Y4M would be 40 MB a second; this is a few hundred KB).</summary>
public static class Colours
{
    public static string Mjpeg(Colour colour) => GeneratedMedia.File($"colour-{colour.Hex}.mjpeg", "ffmpeg", path =>
        ["-y", "-loglevel", "error", "-f", "lavfi", "-i", $"color=c=0x{colour.Hex}:s=1280x720:r=30", "-t", "1",
         "-c:v", "mjpeg", "-q:v", "3", "-f", "mjpeg", path]);
}
