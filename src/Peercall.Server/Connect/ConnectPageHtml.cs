using System.Net;
using System.Text;
using Peercall.Contracts.Connect;
using QRCoder;

namespace Peercall.Server.Connect;

public static class ConnectPageHtml
{
    /// <param name="plainAuthorityUrl">The CA certificate over plain HTTP on the LAN, when the server serves it so.</param>
    public static string Render(ConnectInfo info, string? plainAuthorityUrl)
    {
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Connect another device · Peercall</title>
            <style>
              body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1d1d1f; }
              h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
              .links { display: flex; flex-wrap: wrap; gap: 1.5rem; padding: 0; list-style: none; }
              .links li { text-align: center; }
              .links svg { width: 180px; height: 180px; display: block; margin: 0 auto .3rem; }
              code, .fingerprint { font-family: ui-monospace, monospace; font-size: .85rem; word-break: break-all; }
              dt { font-weight: 600; margin-top: .6rem; }
              .download { display: inline-block; padding: .5rem 1rem; border-radius: .4rem; background: #0a66c2; color: #fff; text-decoration: none; }
            </style>
            </head>
            <body>
            <h1>Connect another device</h1>
            """);

        if (info.Urls.Count == 0)
        {
            html.Append("<p>This server listens on this machine only, so no other device can reach it. Start it without ")
                .Append("<code>--urls</code> (or with an address other devices can reach) to call from the LAN.</p>");
        }
        else
        {
            html.Append("<p>On the other device, scan a code or type one of these addresses. Use one on the same network as the device.</p>\n<ul class=\"links\">\n");
            foreach (var url in info.Urls)
                html.Append($"<li>{QrSvg(url)}<a href=\"{Encode(url)}\">{Encode(url)}</a></li>\n");
            html.Append("</ul>\n");
        }

        if (info.AuthorityCertificatePath is { } caPath)
        {
            html.Append($$"""
                <h2>1. Trust this server's certificate, once per device</h2>
                <p>This server signs its HTTPS certificate with its own certificate authority. Install it on each device
                once; until then the browser warns that the connection is not private, and calls cannot start.
                Compare the fingerprint the device shows with the one below before you trust it.</p>
                <p><a class="download" href="{{Encode(caPath)}}" download>Download the certificate (peercall-ca.crt)</a></p>
                """);
            if (plainAuthorityUrl is not null)
                html.Append("<p>Or scan this with the device to download it:</p>\n")
                    .Append($"<ul class=\"links\"><li>{QrSvg(plainAuthorityUrl)}<code>{Encode(plainAuthorityUrl)}</code></li></ul>\n");
            html.Append("""
                <dl>
                <dt>Android</dt>
                <dd>Download the file, then Settings → Security → More security settings → Encryption &amp; credentials →
                Install a certificate → CA certificate, and pick <code>peercall-ca.crt</code>.</dd>
                <dt>iPhone and iPad</dt>
                <dd>Open the download link in Safari and allow the profile. Then Settings → General → VPN &amp; Device
                Management → install “Peercall local CA”, and Settings → General → About → Certificate Trust Settings →
                turn on full trust for it.</dd>
                <dt>Windows</dt>
                <dd>Open the downloaded file → Install Certificate → Current User → Place all certificates in the
                following store → Trusted Root Certification Authorities. Restart the browser.</dd>
                <dt>macOS</dt>
                <dd>Open the downloaded file; Keychain Access adds it. Double-click “Peercall local CA” → Trust → When using
                this certificate: Always Trust.</dd>
                <dt>Linux</dt>
                <dd><code>sudo cp peercall-ca.crt /usr/local/share/ca-certificates/ &amp;&amp; sudo update-ca-certificates</code>.
                Chrome and Chromium keep their own list: Settings → Privacy and security → Security → Manage certificates →
                Authorities → Import.</dd>
                <dt>Firefox, anywhere</dt>
                <dd>Settings → Privacy &amp; Security → Certificates → View Certificates → Authorities → Import, and tick
                “Trust this CA to identify websites”.</dd>
                </dl>
                <h2>2. Open one of the addresses above</h2>
                """);
        }
        else
        {
            html.Append("<p>This server uses its operator's own certificate: devices that trust its issuer need nothing more.</p>");
        }

        html.Append("<h2>Fingerprints</h2>\n<dl>\n");
        if (info.Authority is { } authority) AppendSummary(html, "Certificate authority", authority);
        AppendSummary(html, "Server certificate", info.Server);
        html.Append("</dl>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendSummary(StringBuilder html, string title, CertificateSummary summary) => html.Append($"""
        <dt>{title}: {Encode(summary.Subject)}, valid until {summary.NotAfter:yyyy-MM-dd}</dt>
        <dd>SHA-256 <span class="fingerprint">{summary.Sha256}</span><br>
        Public key SHA-256 (base64) <span class="fingerprint">{summary.SpkiSha256}</span></dd>

        """);

    private static string QrSvg(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var svg = new SvgQRCode(data);
        return svg.GetGraphic(4);
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
