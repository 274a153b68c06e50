using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalar.AspNetCore;

namespace Peercall.Server.Hosting;

public static class HttpSetup
{
    /// <summary>No endpoint takes more than a small JSON body.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;
    private const string CorsPolicy = "configured-origins";

    public static WebApplicationBuilder AddPeercallHttp(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        services.AddPeercallProblems();
        services.AddOpenApi();

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
        app.MapScalarApiReference("/api/docs", options => options.WithTitle("Peercall API"));
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResultStatusCodes = { [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy] = 503 },
        });
        return app;
    }
}
