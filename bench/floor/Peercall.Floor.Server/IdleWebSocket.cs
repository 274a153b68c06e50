using System.Buffers;
using System.Net.WebSockets;

namespace Peercall.Floor.Server;

public static class IdleWebSocket
{
    public static async Task HoldAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        while (true)
        {
            // A zero-byte read waits for data without holding a buffer, so an idle connection keeps none.
            var ready = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
            if (ready.MessageType == WebSocketMessageType.Close)
            {
                break;
            }
            var buffer = ArrayPool<byte>.Shared.Rent(256);
            try
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        if (socket.State == WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
    }
}
