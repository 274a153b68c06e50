using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace Peercall.Server.Certificates;

public static class HttpsSetup
{
    public static WebApplicationBuilder AddPeercallHttps(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<HttpsOptions>().BindConfiguration(HttpsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IHostIdentitySource, MachineIdentity>();
        services.AddSingleton<CertificateFolder>();
        services.AddSingleton<ServerCertificates>();
        services.AddHostedService<CertificateRenewalService>();

        var listeners = new HttpsListeners(!HasExplicitEndpoints(builder.Configuration));
        services.AddSingleton(listeners);
        if (listeners.Automatic)
        {
            var options = builder.Configuration.GetSection(HttpsOptions.Section).Get<HttpsOptions>() ?? new HttpsOptions();
            // As URLs rather than Listen() calls, so that a host that sets its own addresses (the test factory)
            // replaces them instead of adding to them.
            builder.WebHost.UseUrls($"https://*:{options.Port}", $"http://*:{options.HttpPort}");
        }

        // Every HTTPS endpoint, ours or one given with --urls, gets the managed certificate with its chain.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            var certificates = kestrel.ApplicationServices.GetRequiredService<ServerCertificates>();
            https.ServerCertificateSelector = (_, _) => certificates.Certificate;
            https.OnAuthenticate = (_, ssl) =>
            {
                ssl.ServerCertificateSelectionCallback = null;
                ssl.ServerCertificate = null;
                ssl.ServerCertificateContext = certificates.Context;
            };
            https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
        }));
        return builder;
    }

    /// <summary>On the LAN, plain HTTP only sends the browser to HTTPS (browsers refuse the microphone on plain
    /// HTTP anywhere but loopback). The CA certificate is the exception: a device must be able to fetch it before
    /// it trusts anything served over HTTPS.</summary>
    public static WebApplication UseHttpsOnLan(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<HttpsListeners>().Automatic) return app;
        var httpsPort = app.Services.GetRequiredService<IOptions<HttpsOptions>>().Value.Port;
        var listeners = app.Services.GetRequiredService<HttpsListeners>();
        app.Use((http, next) =>
        {
            var local = http.Connection.LocalIpAddress;
            if (http.Request.IsHttps || listeners.ServesPlainHttp(local)
                || http.Request.Path.StartsWithSegments(Connect.ConnectPage.AuthorityCertificatePath))
                return next(http);

            var host = http.Request.Host.HasValue ? http.Request.Host.Host : local.ToString();
            var target = $"https://{new HostString(host, httpsPort)}{http.Request.PathBase}{http.Request.Path}{http.Request.QueryString}";
            http.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            http.Response.Headers.Location = target;
            return Task.CompletedTask;
        });
        return app;
    }

    /// <summary>Addresses given by the operator or a test host are used exactly as given.</summary>
    private static bool HasExplicitEndpoints(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["urls"])
        || !string.IsNullOrEmpty(configuration["http_ports"])
        || !string.IsNullOrEmpty(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}

/// <param name="Automatic">True when the server chose its own listeners (HTTPS everywhere, HTTP for loopback
/// and redirects); false when addresses were given explicitly.</param>
public sealed record HttpsListeners(bool Automatic)
{
    /// <summary>Whether a plain HTTP connection to this local address is served rather than sent to HTTPS: always
    /// with explicit addresses, otherwise on loopback only (and when the address is not known).</summary>
    public bool ServesPlainHttp([NotNullWhen(false)] IPAddress? local) =>
        !Automatic || local is null || IPAddress.IsLoopback(local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local);
}
