using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.SignalR;
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
    /// <summary>The largest hub message: a 64 KB session description plus its JSON envelope.</summary>
    public const int MaxMessageBytes = 80 * 1024;

    public static WebApplicationBuilder AddSignaling(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SignalingOptions>().BindConfiguration(SignalingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SignalRelay>();
        services.AddSingleton<ConnectionCapacity>();
        services.AddSingleton<HubGuard>();
        services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        services.AddSingleton<ISignalRoute, HubSignalRoute>();
        services.AddSingleton<LocalConnections>();
        services.AddHostedService<SpreadKeepAlive>();
        // Wraps whichever lifetime manager is registered last for every hub (in memory, or Redis from AddCluster),
        // read when the first hub needs it, after every Add* ran.
        services.AddSingleton<HubLifetimeManager<SignalingHub>>(provider =>
        {
            var registered = services.Last(d => d.ServiceType == typeof(HubLifetimeManager<>)).ImplementationType!;
            var inner = (HubLifetimeManager<SignalingHub>)ActivatorUtilities.CreateInstance(provider,
                registered.MakeGenericType(typeof(SignalingHub)));
            return new LocalConnectionsLifetimeManager<SignalingHub>(inner, provider.GetRequiredService<LocalConnections>());
        });
        services.AddSignalR(options =>
        {
            options.MaximumReceiveMessageSize = MaxMessageBytes;
            // A device that vanishes without closing is noticed after ClientTimeoutInterval without a message.
            // The server's pings come from SpreadKeepAlive, so SignalR's own (in bursts) are pushed out of the way;
            // it still sends one a day.
            options.KeepAliveInterval = TimeSpan.FromDays(1);
            options.ClientTimeoutInterval = RealtimeKeepAlive.Timeout;
            options.EnableDetailedErrors = false;
            options.AddFilter<HubGuard>();
        });
        return builder;
    }

    public static WebApplication MapSignaling(this WebApplication app)
    {
        var capacity = app.Services.GetRequiredService<ConnectionCapacity>();
        app.UseWhen(http => http.Request.Path.StartsWithSegments(SignalingRoutes.Hub),
            branch => branch.Use((http, next) => capacity.RefuseWhenFullAsync(http, () => next(http))));
        app.MapHub<SignalingHub>(SignalingRoutes.Hub, options =>
        {
            options.ApplicationMaxBufferSize = MaxMessageBytes;
            options.TransportMaxBufferSize = 32 * 1024;
        });
        return app;
    }

    private sealed class SubjectUserIdProvider : IUserIdProvider
    {
        public string? GetUserId(HubConnectionContext connection) =>
            connection.User.FindFirst(ClaimsPrincipalExtensions.SubjectClaim)?.Value;
    }
}
