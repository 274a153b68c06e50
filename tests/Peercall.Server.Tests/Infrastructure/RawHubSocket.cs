using System.Net.WebSockets;
using System.Text;
using Peercall.Contracts.Signaling;

namespace Peercall.Server.Tests.Infrastructure;

/// <summary>A bare WebSocket on the hub, past the SignalR handshake, for tests that need to see (or withhold)
/// every frame, keep-alives included, which the SignalR client handles out of sight.</summary>
public static class RawHubSocket
{
    public const string Ping = "{\"type\":6}\u001e";

    /// <summary>Opens the hub and completes the hub protocol's handshake.</summary>
    public static async Task<ClientWebSocket> ConnectAsync(PeercallServer server, TestUser user)
    {
        var socket = await OpenAsync(server, user);
        await SendAsync(socket, "{\"protocol\":\"json\",\"version\":1}\u001e");
        Assert.StartsWith("{}\u001e", await ReceiveAsync(socket, TimeSpan.FromSeconds(10)));
        return socket;
    }

    /// <summary>Opens the WebSocket to the hub, leaving the handshake to the caller.</summary>
    public static async Task<ClientWebSocket> OpenAsync(PeercallServer server, TestUser user)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var hub = new UriBuilder(new Uri(server.BaseAddress, SignalingRoutes.Hub.TrimStart('/')))
        {
            Scheme = "ws", Query = $"access_token={Uri.EscapeDataString(user.AccessToken)}",
        }.Uri;
        await socket.ConnectAsync(hub, CancellationToken.None);
        return socket;
    }

    public static Task SendAsync(ClientWebSocket socket, string record) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(record), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>The next message, which must fit in one frame, as the server's short records do.</summary>
    public static async Task<string> ReceiveAsync(ClientWebSocket socket, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[1024];
        var result = await socket.ReceiveAsync(buffer, cancel.Token);
        Assert.True(result.EndOfMessage, "The message did not fit in one frame.");
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    /// <summary>The hub records of the next message that holds more than keep-alive pings (the server may batch
    /// several records in one message), or null when the server closed the WebSocket or dropped the connection
    /// first.</summary>
    public static async Task<IReadOnlyList<string>?> NextRecordsAsync(ClientWebSocket socket, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        while (true)
        {
            var message = new MemoryStream();
            try
            {
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), cancel.Token);
                    if (result.MessageType == WebSocketMessageType.Close) return null;
                    message.Write(buffer, 0, result.Count);
                } while (!result.EndOfMessage);
            }
            catch (WebSocketException)
            {
                return null;
            }
            var records = RecordsOf(Encoding.UTF8.GetString(message.ToArray()));
            if (records.Count > 0) return records;
        }
    }

    /// <summary>Invokes a hub method and returns the record of its completion.</summary>
    public static async Task<string> InvokeAsync(ClientWebSocket socket, string invocationId, string target)
    {
        await SendAsync(socket, $$"""{"type":1,"invocationId":"{{invocationId}}","target":"{{target}}","arguments":[]}""" + "\u001e");
        while (true)
        {
            var records = await NextRecordsAsync(socket, TimeSpan.FromSeconds(5))
                ?? throw new InvalidOperationException($"The connection closed before {target} completed.");
            if (records.FirstOrDefault(r => r.Contains($"\"invocationId\":\"{invocationId}\"")) is { } completion) return completion;
        }
    }

    /// <summary>The hub records in one WebSocket message, without their separators, keep-alive pings left out: the
    /// server may write several records that are ready together into one message.</summary>
    public static List<string> RecordsOf(string message) =>
        [.. message.Split('\u001e', StringSplitOptions.RemoveEmptyEntries).Where(r => r + "\u001e" != Ping)];
}
