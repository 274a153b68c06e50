namespace Peercall.Web.Layout;

/// <summary>Whether the browser lets this page use the microphone and camera: only in a secure context, an HTTPS
/// page or one served from this machine (localhost, loopback addresses). Plain HTTP under a LAN name or address is
/// not one, and no call can work there.</summary>
public static class SecureOrigin
{
    public static bool Is(Uri page) =>
        page.Scheme == Uri.UriSchemeHttps || page.IsLoopback
        || page.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>The server's HTTPS address to open instead: the one with this page's host when the server has it,
    /// else its first; null when the server has none.</summary>
    public static string? HttpsAddressFor(Uri page, IEnumerable<string> serverUrls)
    {
        var https = serverUrls.Where(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)).ToList();
        return https.FirstOrDefault(u => string.Equals(new Uri(u).Host, page.Host, StringComparison.OrdinalIgnoreCase))
               ?? https.FirstOrDefault();
    }
}
