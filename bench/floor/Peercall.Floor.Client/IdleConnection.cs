using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Peercall.Floor.Client;

public static class IdleConnection
{
    private static readonly byte[] HubPing = MaskedTextFrame("{\"type\":6}\u001e");

    public static async Task<Socket> OpenAsync(string kind, int port, int index)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Spread over eight source addresses so that no one address runs out of ephemeral ports.
            socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.0.{2 + index % 8}"), 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            if (kind == "raw")
            {
                return socket;
            }
            var path = kind == "hub" ? "/hub" : "/ws";
            var afterUpgrade = await UpgradeAsync(socket, path, port);
            if (kind == "hub")
            {
                await HubHandshakeAsync(socket, afterUpgrade);
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends a SignalR ping and drops the server's own pings unread; false when the socket is gone.</summary>
    public static bool TryPingHub(Socket socket)
    {
        try
        {
            socket.Send(HubPing);
            if (socket.Available > 0)
            {
                socket.Receive(new byte[socket.Available]);
            }
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Sends the HTTP/1.1 WebSocket upgrade and returns the bytes that followed the 101 response.</summary>
    private static async Task<byte[]> UpgradeAsync(Socket socket, string path, int port)
    {
        var request = $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        var length = 0;
        while (true)
        {
            length += await ReceiveSomeAsync(socket, buffer, length);
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var headersEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headersEnd < 0)
            {
                continue;
            }
            if (!text.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                throw new InvalidDataException("upgrade refused: " + text.Split('\r')[0]);
            }
            return buffer[(headersEnd + 4)..length];
        }
    }

    /// <summary>Sends the JSON protocol handshake and waits for the server's empty answer "{}".</summary>
    private static async Task HubHandshakeAsync(Socket socket, byte[] received)
    {
        await socket.SendAsync(MaskedTextFrame("{\"protocol\":\"json\",\"version\":1}\u001e"));
        var buffer = new byte[4096];
        received.CopyTo(buffer, 0);
        var length = received.Length;
        while (Array.IndexOf(buffer, (byte)0x1e, 0, length) < 0)
        {
            length += await ReceiveSomeAsync(socket, buffer, length);
        }
        // One unmasked text frame from the server: 0x81, payload length, then "{}" and the record separator.
        if (length < 5 || buffer[2] != '{' || buffer[3] != '}')
        {
            throw new InvalidDataException("bad handshake response: " + Convert.ToHexString(buffer, 0, length));
        }
    }

    private static async Task<int> ReceiveSomeAsync(Socket socket, byte[] buffer, int offset)
    {
        var received = await socket.ReceiveAsync(buffer.AsMemory(offset));
        return received > 0 ? received : throw new IOException("the server closed the connection");
    }

    /// <summary>A single client-to-server text frame, which RFC 6455 requires to be masked.</summary>
    private static byte[] MaskedTextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        if (payload.Length >= 126)
        {
            throw new ArgumentException("only short frames are supported", nameof(text));
        }
        var frame = new byte[2 + 4 + payload.Length];
        frame[0] = 0x81; // FIN, text
        frame[1] = (byte)(0x80 | payload.Length);
        Random.Shared.NextBytes(frame.AsSpan(2, 4));
        for (var i = 0; i < payload.Length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ frame[2 + (i & 3)]);
        }
        return frame;
    }
}
