using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;

namespace Peercall.Server.Signaling;

/// <summary>
/// Whether a device left on purpose. SignalR reports a connection the client closed (a tab closed, a sign-out) and
/// one whose network went away (a device roaming to another Wi-Fi, a cable pulled) alike, with no error. Only the
/// first has left; the second may come back within the reconnect grace and resume its call. A device says it is
/// leaving with <c>ISignalingHub.Leaving</c>, or with the WebSocket's closing handshake (what a browser sends when
/// a tab closes). The handshake alone is not enough: a close frame followed at once by the TCP reset of a client
/// that aborts its socket (the .NET SignalR client does when it stops) can be dropped with the reset.
/// </summary>
public static class Goodbye
{
    private static readonly object SocketKey = new();
    private static readonly object LeavingKey = new();

    /// <summary>Wraps the WebSocket feature of a hub request, to keep the socket SignalR accepts; put it after
    /// <c>UseWebSockets</c>.</summary>
    public static Task RememberSocketAsync(HttpContext http, RequestDelegate next)
    {
        if (http.Features.Get<IHttpWebSocketFeature>() is { IsWebSocketRequest: true } feature)
            http.Features.Set<IHttpWebSocketFeature>(new RememberingFeature(feature, http));
        return next(http);
    }

    /// <summary>Moves the request's WebSocket into the hub connection's items when the hub connects: the request's
    /// HttpContext is pooled and may be reset before the hub's OnDisconnectedAsync runs.</summary>
    public static void KeepSocket(HubCallerContext connection) =>
        connection.Items[SocketKey] = connection.GetHttpContext()?.Items[SocketKey];

    public static void Leaving(HubCallerContext connection) => connection.Items[LeavingKey] = true;

    /// <summary>True when the client said it was leaving, or closed its connection with a close frame and no
    /// error.</summary>
    public static bool Said(HubCallerContext connection, Exception? closedWith) =>
        connection.Items.ContainsKey(LeavingKey)
        || closedWith is null && connection.Items.TryGetValue(SocketKey, out var socket) && socket is WebSocket { CloseStatus: not null };

    private sealed class RememberingFeature(IHttpWebSocketFeature inner, HttpContext http) : IHttpWebSocketFeature
    {
        public bool IsWebSocketRequest => inner.IsWebSocketRequest;

        public async Task<WebSocket> AcceptAsync(WebSocketAcceptContext context)
        {
            var socket = await inner.AcceptAsync(context);
            http.Items[SocketKey] = socket;
            return socket;
        }
    }
}
