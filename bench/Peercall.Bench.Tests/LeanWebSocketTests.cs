using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Peercall.Bench.Load;

namespace Peercall.Bench.Tests;

/// <summary>
/// The load clients' WebSocket framing against .NET's own server-side WebSocket, with the server's bytes
/// delivered one at a time so that every frame and record is split at every possible point.
/// </summary>
public sealed class LeanWebSocketTests
{
    [Fact]
    public async Task Records_split_anywhere_fragmented_or_between_pings_arrive_whole()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        var received = new RecordingListener();
        var server = Task.Run(async () =>
        {
            using var tcp = await listener.AcceptTcpClientAsync();
            tcp.NoDelay = true;
            var stream = tcp.GetStream();
            await AnswerUpgradeAsync(stream);
            using var socket = WebSocket.CreateFromStream(new TrickleStream(stream), new WebSocketCreationOptions { IsServer = true });
            var buffer = new byte[4096];
            var handshake = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal("{\"protocol\":\"json\",\"version\":1}\u001e", Encoding.UTF8.GetString(buffer, 0, handshake.Count));

            await socket.SendAsync("{}\u001e"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
            // Two records in one message, then one record in three fragments.
            await socket.SendAsync(Encoding.UTF8.GetBytes(Invocation("A", "1") + Invocation("B", new string('x', 300))),
                WebSocketMessageType.Text, true, CancellationToken.None);
            var fragmented = Encoding.UTF8.GetBytes(Invocation("C", new string('y', 70_000)));
            await socket.SendAsync(fragmented.AsMemory(0, 10), WebSocketMessageType.Text, false, CancellationToken.None);
            await socket.SendAsync(fragmented.AsMemory(10, 65_000), WebSocketMessageType.Text, false, CancellationToken.None);
            await socket.SendAsync(fragmented.AsMemory(65_010), WebSocketMessageType.Text, true, CancellationToken.None);
            await socket.SendAsync(Encoding.UTF8.GetBytes(Invocation("D", "")), WebSocketMessageType.Text, true, CancellationToken.None);

            var ping = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal("{\"type\":6}\u001e", Encoding.UTF8.GetString(buffer, 0, ping.Count));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        });

        var connection = await LeanHubConnection.ConnectAsync(received, IPAddress.Parse("127.0.0.2"), endpoint, "token", 0,
            new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        await Until(() => received.Records.Count == 4);
        connection.SendKeepAlive();
        await server.WaitAsync(TimeSpan.FromSeconds(10));
        await Until(() => received.ClosedWith is not null);

        Assert.Equal([Invocation("A", "1"), Invocation("B", new string('x', 300)), Invocation("C", new string('y', 70_000)), Invocation("D", "")],
            received.Records.Select(r => r + "\u001e"));
        Assert.Equal("server sent close 1000 bye", received.ClosedWith);
    }

    private static string Invocation(string target, string argument) =>
        $"{{\"type\":1,\"target\":\"{target}\",\"arguments\":[\"{argument}\"]}}\u001e";

    private static async Task AnswerUpgradeAsync(NetworkStream stream)
    {
        var request = new StringBuilder();
        var one = new byte[1];
        while (!request.ToString().EndsWith("\r\n\r\n"))
        {
            await stream.ReadExactlyAsync(one);
            request.Append((char)one[0]);
        }
        var key = request.ToString().Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:"))[18..].Trim();
        var accept = Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(
            Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("Timed out.");
            await Task.Delay(10);
        }
    }

    private sealed class RecordingListener : IConnectionListener
    {
        public List<string> Records { get; } = [];
        public string? ClosedWith { get; private set; }

        public void OnMessage(LoadConnection connection, ReadOnlySpan<byte> message)
        {
            lock (Records) Records.Add(Encoding.UTF8.GetString(message));
        }

        public void OnClosed(LoadConnection connection, string reason) => ClosedWith = reason;
    }

    /// <summary>Writes what the server sends one byte at a time, each its own TCP segment.</summary>
    private sealed class TrickleStream(NetworkStream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            for (var i = 0; i < buffer.Length; i++)
            {
                await inner.WriteAsync(buffer.Slice(i, 1), ct);
                if (buffer.Length < 1000 || i % 997 == 0) await inner.FlushAsync(ct);
            }
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
        public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
