using System.ComponentModel.DataAnnotations;
using Peercall.Contracts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Hosting;

namespace Peercall.Server.Signaling;

public sealed class SignalingOptions
{
    public const string Section = "Peercall:Signaling";

    [Range(1, 100_000)]
    public int MessagesPerSecond { get; set; } = 50;

    [Range(1, 100_000)]
    public int MessageBurst { get; set; } = 200;

    /// <summary>Realtime connections this node accepts; by default what its open-file limit allows.</summary>
    [Range(1, 10_000_000)]
    public int? MaxConnections { get; set; }
}

public static class SignalingSetup
{
    public static WebApplicationBuilder AddSignaling(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SignalingOptions>().BindConfiguration(SignalingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SignalRelay>();
        services.AddSingleton<ConnectionCapacity>();
        services.AddSingleton<LocalConnections>();
        services.AddSingleton<NodeSignalRoute>();
        services.AddSingleton<ISignalRoute>(p => p.GetRequiredService<NodeSignalRoute>());
        services.AddSingleton<NodeHubClients>();
        services.AddSingleton<IHubClients>(p => p.GetRequiredService<NodeHubClients>());
        services.AddSingleton<SignalingHub>();
        services.AddSingleton<RealtimeEntrance>();
        services.AddHostedService<SpreadKeepAlive>();
        // Every listener first offers its connections to the realtime entrance, which takes WebSocket upgrades to
        // the hub and leaves everything else to HTTP.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection =>
            listen.ApplicationServices.GetRequiredService<RealtimeEntrance>().OnConnectionAsync(connection, next))));
        return builder;
    }

    public static WebApplication MapSignaling(this WebApplication app)
    {
        var capacity = app.Services.GetRequiredService<ConnectionCapacity>();
        var entrance = app.Services.GetRequiredService<RealtimeEntrance>();
        app.UseWhen(http => http.Request.Path.StartsWithSegments(SignalingRoutes.Hub),
            branch => branch.Use((http, next) => capacity.RefuseWhenFullAsync(http, () => next(http))));
        // Any method: a WebSocket over HTTP/2 is a CONNECT request.
        app.Map(SignalingRoutes.Hub, (Delegate)entrance.AcceptAsync).RequireAuthorization().ExcludeFromDescription();
        app.MapPost($"{SignalingRoutes.Hub}/negotiate", () => new PeercallException(400, ProblemCodes.BadRequest,
                $"Connect a WebSocket to {SignalingRoutes.Hub} directly: SignalR clients need the WebSockets transport " +
                "with skipNegotiation, so that any server node can take the connection. See docs/protocol.md.").ToResult())
            .ExcludeFromDescription();
        return app;
    }
}
