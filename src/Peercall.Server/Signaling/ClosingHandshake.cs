using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Features;

namespace Peercall.Server.Signaling;

/// <summary>
/// Whether a device said goodbye. SignalR reports a WebSocket that the client closed (a closing handshake: a tab
/// closed, a sign-out) and one whose network went away (no close frame: a device roaming to another Wi-Fi, a cable
/// pulled) alike, with no error. Only the first has left; the second may come back within the reconnect grace and
/// resume its call. This keeps the WebSocket SignalR accepts for each hub request, so the hub can ask it.
/// </summary>
public static class ClosingHandshake
{
    private static readonly object Key = new();

    /// <summary>Wraps the WebSocket feature of a hub request; put it after <c>UseWebSockets</c>.</summary>
    public static Task RememberSocketAsync(HttpContext http, RequestDelegate next)
    {
        if (http.Features.Get<IHttpWebSocketFeature>() is { IsWebSocketRequest: true } feature)
            http.Features.Set<IHttpWebSocketFeature>(new RememberingFeature(feature, http));
        return next(http);
    }

    /// <summary>True when the client sent a close frame before the connection ended.</summary>
    public static bool ClientSaidGoodbye(HttpContext? http) =>
        http?.Items[Key] is WebSocket { CloseStatus: not null };

    private sealed class RememberingFeature(IHttpWebSocketFeature inner, HttpContext http) : IHttpWebSocketFeature
    {
        public bool IsWebSocketRequest => inner.IsWebSocketRequest;

        public async Task<WebSocket> AcceptAsync(WebSocketAcceptContext context)
        {
            var socket = await inner.AcceptAsync(context);
            http.Items[Key] = socket;
            return socket;
        }
    }
}
