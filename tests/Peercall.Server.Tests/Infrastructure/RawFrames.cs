using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Peercall.Server.Tests.Infrastructure;

/// <summary>A WebSocket spoken by hand over TCP, for tests that send frames no well-behaved client library sends:
/// pings, binary or unmasked frames, oversized ones, records cut across frames.</summary>
public sealed class RawFrames : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawFrames(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _stream.ReadTimeout = 10_000;
    }

    /// <summary>Opens a WebSocket to the hub and returns it with the server's HTTP answer (status line and headers).</summary>
    public static async Task<(RawFrames Socket, string Response)> OpenAsync(PeercallServer server, string accessToken)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var socket = new RawFrames(tcp);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        await socket._stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /hubs/signaling?access_token={Uri.EscapeDataString(accessToken)} HTTP/1.1\r\n" +
            $"Host: {server.BaseAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var response = new StringBuilder();
        while (!response.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            response.Append((char)socket.ReadByte());
        return (socket, response.ToString());
    }

    /// <summary>Opens the hub and completes the hub protocol's handshake.</summary>
    public static async Task<RawFrames> ConnectAsync(PeercallServer server, TestUser user)
    {
        var (socket, response) = await OpenAsync(server, user.AccessToken);
        Assert.StartsWith("HTTP/1.1 101", response);
        await socket.SendTextAsync("{\"protocol\":\"json\",\"version\":1}\u001e");
        Assert.Equal("{}\u001e", (await socket.ReceiveAsync()).Text);
        return socket;
    }

    public Task SendTextAsync(string text, bool fin = true) => SendAsync(0x1, Encoding.UTF8.GetBytes(text), fin);

    /// <summary>Sends one frame, masked as a client must unless told otherwise.</summary>
    public async Task SendAsync(byte opcode, byte[] payload, bool fin = true, bool masked = true, long? claimedLength = null)
    {
        var length = claimedLength ?? payload.Length;
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        var maskBit = masked ? 0x80 : 0;
        if (length < 126) frame.Add((byte)(maskBit | (int)length));
        else if (length <= ushort.MaxValue)
        {
            frame.Add((byte)(maskBit | 126));
            frame.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness((ushort)length)));
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            frame.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness((ulong)length)));
        }
        var mask = RandomNumberGenerator.GetBytes(4);
        if (masked) frame.AddRange(mask);
        frame.AddRange(masked ? payload.Select((b, i) => (byte)(b ^ mask[i % 4])) : payload);
        await _stream.WriteAsync(frame.ToArray());
    }

    /// <summary>The next frame from the server; fails after 10 s without one.</summary>
    public async Task<(byte Opcode, byte[] Payload, string Text)> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var header = new byte[2];
        await _stream.ReadExactlyAsync(header, timeout.Token);
        Assert.True((header[1] & 0x80) == 0, "Frames from the server are never masked.");
        long length = header[1] & 0x7F;
        if (length == 126)
        {
            var extended = new byte[2];
            await _stream.ReadExactlyAsync(extended, timeout.Token);
            length = BinaryPrimitives.ReadUInt16BigEndian(extended);
        }
        else if (length == 127)
        {
            var extended = new byte[8];
            await _stream.ReadExactlyAsync(extended, timeout.Token);
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
        }
        var payload = new byte[length];
        await _stream.ReadExactlyAsync(payload, timeout.Token);
        return ((byte)(header[0] & 0x0F), payload, Encoding.UTF8.GetString(payload));
    }

    /// <summary>The next frame that is not one of the server's keep-alive pings.</summary>
    public async Task<(byte Opcode, byte[] Payload, string Text)> ReceiveSkippingPingsAsync()
    {
        while (true)
        {
            var frame = await ReceiveAsync();
            if (frame.Text != RawHubSocket.Ping) return frame;
        }
    }

    /// <summary>The next <paramref name="count"/> hub records (without separators) that are not pings, however the server put them into
    /// messages (SignalR writes records that are ready together in one).</summary>
    public async Task<List<string>> ReceiveRecordsAsync(int count)
    {
        var records = new List<string>();
        while (records.Count < count)
        {
            var frame = await ReceiveAsync();
            Assert.Equal(0x1, frame.Opcode);
            records.AddRange(RawHubSocket.RecordsOf(frame.Text));
        }
        return records;
    }

    /// <summary>Reads until the server ends the WebSocket: the hub records it sent on the way (keep-alive pings left
    /// out) and the status of its close frame (1005 for a close frame without one), or null when it dropped the
    /// connection without a close frame, which RFC 6455 allows when it fails a connection (section 7.1.7).</summary>
    public async Task<(int? CloseStatus, IReadOnlyList<string> Records)> ReceiveUntilClosedAsync()
    {
        var records = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                var frame = await ReceiveAsync();
                if (frame.Opcode == 0x8)
                    return (frame.Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(frame.Payload) : 1005, records);
                if (frame.Opcode == 0x1) records.AddRange(RawHubSocket.RecordsOf(frame.Text));
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            return (null, records);
        }
        catch (OperationCanceledException)
        {
        }
        throw new TimeoutException($"The server neither closed nor dropped the connection within 10 s; it sent: {string.Join(" ", records)}");
    }

    /// <summary>True when the server has closed the TCP connection (reads end).</summary>
    public async Task<bool> EndsAsync()
    {
        var buffer = new byte[1024];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (await _stream.ReadAsync(buffer, timeout.Token) > 0) { }
            return true;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private int ReadByte() => _stream.ReadByte() is var b and >= 0 ? b : throw new EndOfStreamException("The server closed the connection.");

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
