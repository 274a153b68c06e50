using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using Microsoft.AspNetCore.Routing;

namespace Peercall.Server.WebClient;

/// <summary>
/// Serves the Blazor WebAssembly client (src/Peercall.Web) at <c>/</c>. Its files come from the build's static
/// asset manifest: precompressed (Brotli and gzip, chosen by Accept-Encoding), with ETags, and cached for a year
/// where the name carries a fingerprint. A GET of any other path without a file extension is a client route and
/// gets index.html, except under the server's own prefixes, which keep the API's own 404, 405 and 415 answers.
/// </summary>
public static class WebClientHosting
{
    private static readonly string[] ServerPrefixes = ["api", "hubs", "openapi", "healthz", "connect"];

    public static WebApplicationBuilder AddWebClient(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<RouteOptions>(options =>
            options.SetParameterPolicy<ClientRouteConstraint>(ClientRouteConstraint.Name));
        return builder;
    }

    public static WebApplication MapWebClient(this WebApplication app)
    {
        // A published server has the client under wwwroot. Run from a build (dotnet run), the client's files
        // stay in its own project; outside Development only this makes them visible to the index.html fallback.
        if (!app.Environment.IsDevelopment())
            StaticWebAssetsLoader.UseStaticWebAssets(app.Environment, app.Configuration);

        app.MapStaticAssets();
        // index.html names the current build's files, so browsers must ask for it again on every start.
        app.MapFallbackToFile($"{{*path:nonfile:{ClientRouteConstraint.Name}}}", "index.html", new StaticFileOptions
            {
                OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
            })
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        return app;
    }

    /// <summary>Matches client routes only: paths outside the server's own prefixes.</summary>
    private sealed class ClientRouteConstraint : IRouteConstraint
    {
        public const string Name = "clientroute";

        public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values,
            RouteDirection routeDirection)
        {
            var path = values[routeKey]?.ToString() ?? "";
            var first = path.Split('/', 2)[0];
            return !ServerPrefixes.Contains(first, StringComparer.OrdinalIgnoreCase);
        }
    }
}
