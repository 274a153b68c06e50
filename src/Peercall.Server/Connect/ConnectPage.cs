using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Peercall.Contracts.Connect;
using Peercall.Server.Certificates;

namespace Peercall.Server.Connect;

/// <summary>"Connect another device": the LAN URLs with QR codes, the CA certificate to trust and its
/// fingerprints. Open to anyone who can reach the server, since a new device has no account yet.</summary>
public static class ConnectPage
{
    public const string AuthorityCertificatePath = "/connect/peercall-ca.crt";

    public static WebApplicationBuilder AddConnectPage(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ConnectLinks>();
        return builder;
    }

    public static IEndpointRouteBuilder MapConnectPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/connect", Page).WithName("ConnectPage").WithTags("Connect")
            .WithSummary("Connect another device: LAN addresses, QR codes, the certificate to trust").ExcludeFromDescription();
        app.MapGet(AuthorityCertificatePath, AuthorityCertificate).WithName("AuthorityCertificate").WithTags("Connect")
            .WithSummary("The server's own CA certificate (PEM), for devices to trust");
        app.MapGet("/api/connect", Info).WithName("ConnectInfo").WithTags("Connect")
            .WithSummary("LAN URLs, the CA certificate and the fingerprints, for the app's own connect page");
        return app;
    }

    private static Ok<ConnectInfo> Info(ConnectLinks links, ServerCertificates certificates) =>
        TypedResults.Ok(Describe(links, certificates));

    private static Results<ContentHttpResult, NotFound> AuthorityCertificate(ServerCertificates certificates, HttpContext http)
    {
        if (certificates.Authority is not { } authority) return TypedResults.NotFound();
        http.Response.Headers.ContentDisposition = "attachment; filename=peercall-ca.crt";
        return TypedResults.Text(authority.ExportCertificatePem(), "application/x-x509-ca-cert");
    }

    private static ContentHttpResult Page(ConnectLinks links, ServerCertificates certificates, HttpsListeners listeners,
        IOptions<HttpsOptions> https, HttpContext http)
    {
        var info = Describe(links, certificates);
        // A device that trusts nothing yet fetches the CA certificate over plain HTTP, which the server allows on
        // the LAN for this one file; comparing the fingerprint is what makes that safe.
        var plainAuthorityUrl = listeners.Automatic && info.AuthorityCertificatePath is { } path
                                && info.Urls.FirstOrDefault() is { } first
            ? $"http://{new HostString(new Uri(first).Host, https.Value.HttpPort)}{path}"
            : null;
        // Inline styles and inline SVG only: nothing is fetched from anywhere else.
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
        var html = ConnectPageHtml.Render(info, plainAuthorityUrl, ConnectPageText.For(http.Request));
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    private static ConnectInfo Describe(ConnectLinks links, ServerCertificates certificates) => new(
        links.Urls(),
        certificates.Authority is null ? null : AuthorityCertificatePath,
        certificates.Authority is { } authority ? CertificateSummaries.Summarize(authority) : null,
        CertificateSummaries.Summarize(certificates.Certificate));
}
