using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
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

    /// <summary>Realtime connections one account may hold at once, over every node: one per device or tab.</summary>
    [Range(1, 1_000)]
    public int MaxConnectionsPerUser { get; set; } = 10;
}

public static class SignalingSetup
{
    /// <summary>The largest hub message: a 64 KB session description plus its JSON envelope. SignalR applies it to
    /// each hub message, however many a client batches into one WebSocket message.</summary>
    public const int MaxMessageBytes = 80 * 1024;

    public static WebApplicationBuilder AddSignaling(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SignalingOptions>().BindConfiguration(SignalingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SignalRelay>();
        services.AddSingleton<ConnectionCapacity>();
        services.AddSingleton<HubGuard>();
        services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        services.AddSignalR(options =>
        {
            options.MaximumReceiveMessageSize = MaxMessageBytes;
            options.KeepAliveInterval = RealtimeKeepAlive.Interval;
            options.ClientTimeoutInterval = RealtimeKeepAlive.Timeout;
            options.EnableDetailedErrors = false;
            options.AddFilter<HubGuard>();
        });
        return builder;
    }

    public static WebApplication MapSignaling(this WebApplication app)
    {
        var capacity = app.Services.GetRequiredService<ConnectionCapacity>();
        // Lets the admission below tell a WebSocket request (HTTP/1.1 upgrade or HTTP/2 CONNECT) from any other.
        app.UseWebSockets();
        app.UseWhen(http => http.Request.Path.StartsWithSegments(SignalingRoutes.Hub), branch => branch.Use((http, next) =>
            IsNegotiation(http) ? Refuse(http, "Connect a WebSocket")
            // Without a valid token the hub's endpoint answers 401.
            : !http.User.IsSignedIn() ? next(http)
            : capacity.RefuseWhenFullAsync(http, () => http.WebSockets.IsWebSocketRequest
                ? Goodbye.RememberSocketAsync(http, next)
                : Refuse(http, $"{SignalingRoutes.Hub} takes WebSocket connections only; connect one"))));
        app.MapHub<SignalingHub>(SignalingRoutes.Hub, options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.ApplicationMaxBufferSize = MaxMessageBytes;
            options.TransportMaxBufferSize = MaxMessageBytes;
        });
        return app;
    }

    /// <summary>Negotiation ties a client to the node that answered it, which a cluster behind a balancer cannot
    /// promise; every client connects its WebSocket directly, to whichever node takes it.</summary>
    private static bool IsNegotiation(HttpContext http) =>
        http.Request.Path.StartsWithSegments($"{SignalingRoutes.Hub}/negotiate");

    private static Task Refuse(HttpContext http, string what) =>
        new PeercallException(400, ProblemCodes.BadRequest,
                $"{what} to {SignalingRoutes.Hub} directly: SignalR clients need the WebSockets transport with " +
                "skipNegotiation, so that any server node can take the connection. See docs/protocol.md.")
            .ToResult().ExecuteAsync(http);

    private sealed class SubjectUserIdProvider : IUserIdProvider
    {
        public string? GetUserId(HubConnectionContext connection) =>
            connection.User.FindFirst(ClaimsPrincipalExtensions.SubjectClaim)?.Value;
    }
}
