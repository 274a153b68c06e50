using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalar.AspNetCore;

namespace Peercall.Server.Hosting;

public static class HttpSetup
{
    /// <summary>No endpoint takes more than a small JSON body.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;
    private const string CorsPolicy = "configured-origins";
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(30);

    public static WebApplicationBuilder AddPeercallHttp(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        var files = OpenFileBudget.OfThisProcess();
        services.AddSingleton(files);
        services.AddSingleton<ConnectionGate>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection =>
                listen.ApplicationServices.GetRequiredService<ConnectionGate>().OnConnectionAsync(connection, next)));
            var limits = kestrel.Limits;
            limits.MaxRequestBodySize = MaxRequestBodyBytes;
            limits.MaxConcurrentConnections = files.Connections;
            limits.MaxConcurrentUpgradedConnections = files.Connections;
            // A device on the LAN that opens a connection and says nothing, or stops half-way through its
            // request, gives its file back after seconds, not minutes.
            limits.RequestHeadersTimeout = RequestHeadersTimeout;
            limits.KeepAliveTimeout = KeepAliveTimeout;
        });
        services.AddPeercallProblems();
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Peercall API";
            document.Info.Description = "Accounts, presence and call requests. The realtime events and the call sequence are described in docs/protocol.md.";
            return Task.CompletedTask;
        }));

        var origins = builder.Configuration.GetSection("Peercall:Cors:Origins").Get<string[]>() ?? [];
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy =>
            policy.WithOrigins(origins).AllowAnyHeader().AllowAnyMethod().AllowCredentials()));
        return builder;
    }

    public static WebApplication UsePeercallHttp(this WebApplication app)
    {
        app.UsePeercallProblems();
        app.UseCors(CorsPolicy);
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static WebApplication MapPeercallDiagnostics(this WebApplication app)
    {
        app.MapOpenApi();
        // No web fonts from outside: the API page must work on a LAN with no internet.
        app.MapScalarApiReference("/api/docs", options => options.WithTitle("Peercall API").DisableDefaultFonts());
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResultStatusCodes = { [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy] = 503 },
        });
        return app;
    }
}
