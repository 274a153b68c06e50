using System.Net;
using System.Text;
using Peercall.Contracts.Connect;
using QRCoder;

namespace Peercall.Server.Connect;

public static class ConnectPageHtml
{
    /// <param name="plainAuthorityUrl">The CA certificate over plain HTTP on the LAN, when the server serves it so.</param>
    public static string Render(ConnectInfo info, string? plainAuthorityUrl, ConnectPageText text)
    {
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="{{text.Language}}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{text.Title}} · Peercall</title>
            <style>
              body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1d1d1f; }
              h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
              .links { display: flex; flex-wrap: wrap; gap: 1.5rem; padding: 0; list-style: none; }
              .links li { text-align: center; }
              .links svg { width: 180px; height: 180px; display: block; margin: 0 auto .3rem; }
              code, .fingerprint { font-family: ui-monospace, monospace; font-size: .85rem; word-break: break-all; }
              dt { font-weight: 600; margin-top: .6rem; }
              .back { color: #0a66c2; }
              .download { display: inline-block; padding: .5rem 1rem; border-radius: .4rem; background: #0a66c2; color: #fff; text-decoration: none; }
            </style>
            </head>
            <body>
            <p><a class="back" href="/" data-test="back-to-app">{{text.BackToApp}}</a></p>
            <h1>{{text.Title}}</h1>

            """);

        // With no address another device can reach, there is nothing to trust or open: only how to get one.
        if (info.Urls.Count == 0)
        {
            html.Append($"<p data-test=\"loopback-only\">{text.LoopbackOnly}</p>\n</body>\n</html>\n");
            return html.ToString();
        }

        html.Append($"<p>{text.ScanOrType}</p>\n<ul class=\"links\">\n");
        foreach (var url in info.Urls)
            html.Append($"<li>{QrSvg(url)}<a href=\"{Encode(url)}\">{Encode(url)}</a></li>\n");
        html.Append("</ul>\n");

        if (info.AuthorityCertificatePath is { } caPath)
        {
            html.Append($"<h2>{text.TrustTitle}</h2>\n<p>{text.TrustBody}</p>\n")
                .Append($"<p><a class=\"download\" href=\"{Encode(caPath)}\" download>{text.Download}</a></p>\n");
            if (plainAuthorityUrl is not null)
                html.Append($"<p>{text.OrScan}</p>\n")
                    .Append($"<ul class=\"links\"><li>{QrSvg(plainAuthorityUrl)}<code>{Encode(plainAuthorityUrl)}</code></li></ul>\n");
            html.Append("<dl>\n");
            foreach (var (system, steps) in text.TrustSteps) html.Append($"<dt>{system}</dt>\n<dd>{steps}</dd>\n");
            html.Append($"</dl>\n<h2>{text.OpenTitle}</h2>\n");
        }
        else
        {
            html.Append($"<p>{text.OwnCertificate}</p>\n");
        }

        html.Append($"<h2>{text.Fingerprints}</h2>\n<dl>\n");
        if (info.Authority is { } authority) AppendSummary(html, text, text.AuthorityLabel, authority);
        AppendSummary(html, text, text.ServerLabel, info.Server);
        html.Append("</dl>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendSummary(StringBuilder html, ConnectPageText text, string title, CertificateSummary summary) => html.Append($"""
        <dt>{title}: {Encode(summary.Subject)}, {text.ValidUntil($"{summary.NotAfter:yyyy-MM-dd}")}</dt>
        <dd>SHA-256 <span class="fingerprint">{summary.Sha256}</span><br>
        {text.PublicKey} <span class="fingerprint">{summary.SpkiSha256}</span></dd>

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
