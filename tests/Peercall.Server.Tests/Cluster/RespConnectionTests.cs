using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Peercall.Server.Cluster;
using StackExchange.Redis;

namespace Peercall.Server.Tests.Cluster;

/// <summary>The node's own Redis connection against a loopback peer that answers with exactly the bytes a test
/// gives, split as the test splits them (a real Redis never splits so awkwardly on loopback).</summary>
public sealed class RespConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Names_itself_then_reads_a_message_that_arrives_one_byte_at_a_time()
    {
        await using var peer = await FakeRedis.StartAsync();
        using var connection = await peer.ConnectAsync("peercall-signals");
        Assert.Equal("*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$16\r\npeercall-signals\r\n", peer.ReceivedSoFar());

        await peer.SendAsync("*3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$12\r\nhello\r\nthere\r\n", chunk: 1);
        var reply = new ReadOnlyMemory<byte>[3];
        Assert.Equal(3, connection.Read(reply, out var isError));
        Assert.False(isError);
        Assert.Equal(["message", "chan", "hello\r\nthere"], reply.Select(Text));
    }

    [Fact]
    public async Task Reads_a_message_larger_than_its_buffer_and_the_replies_after_it()
    {
        await using var peer = await FakeRedis.StartAsync();
        using var connection = await peer.ConnectAsync("peercall-signals");
        var large = new string('x', 100_000);

        await peer.SendAsync($"*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n${large.Length}\r\n{large}\r\n:7\r\n+PONG\r\n", chunk: 4096);
        var reply = new ReadOnlyMemory<byte>[3];
        Assert.Equal(3, connection.Read(reply, out _));
        Assert.Equal(large, Text(reply[2]));
        Assert.Equal(1, connection.Read(reply, out _));
        Assert.Equal("7", Text(reply[0]));
        Assert.Equal(1, connection.Read(reply, out _));
        Assert.Equal("PONG", Text(reply[0]));
    }

    [Fact]
    public async Task An_error_reply_is_flagged_with_its_text_and_the_connection_reads_on()
    {
        await using var peer = await FakeRedis.StartAsync();
        using var connection = await peer.ConnectAsync("peercall-signals");

        await peer.SendAsync("-NOPERM no permissions to access a channel\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n", chunk: 3);
        var reply = new ReadOnlyMemory<byte>[3];
        Assert.Equal(1, connection.Read(reply, out var isError));
        Assert.True(isError);
        Assert.Equal("NOPERM no permissions to access a channel", Text(reply[0]));
        Assert.Equal(2, connection.Read(reply, out isError));
        Assert.False(isError);
        Assert.Equal(["pong", ""], reply.Take(2).Select(Text));
    }

    [Theory]
    [InlineData("$2000000\r\n", "2000000-byte")]
    [InlineData("?what\r\n", "unknown type '?'")]
    [InlineData("*x\r\n", "where a number belongs")]
    public async Task A_reply_no_redis_would_send_fails_the_read_instead_of_being_guessed_at(string reply, string expected)
    {
        await using var peer = await FakeRedis.StartAsync();
        using var connection = await peer.ConnectAsync("peercall-signals");

        await peer.SendAsync(reply, chunk: 64);
        var failure = Assert.Throws<IOException>(() => connection.Read(new ReadOnlyMemory<byte>[3], out _));
        Assert.Contains(expected, failure.Message);
    }

    [Fact]
    public async Task A_peer_that_closes_mid_reply_fails_the_read()
    {
        await using var peer = await FakeRedis.StartAsync();
        using var connection = await peer.ConnectAsync("peercall-signals");

        await peer.SendAsync("*3\r\n$7\r\nmess", chunk: 64);
        peer.Close();
        Assert.Throws<EndOfStreamException>(() => connection.Read(new ReadOnlyMemory<byte>[3], out _));
    }

    [Fact]
    public async Task Authenticates_first_and_a_refusal_fails_the_connection_with_redis_words()
    {
        await using var peer = await FakeRedis.StartAsync(answerToFirstCommand: "-WRONGPASS invalid username-password pair\r\n");
        var options = ConfigurationOptions.Parse($"127.0.0.1:{peer.Port},user=node,password=wrong");

        var opening = Task.Run(() => Assert.Throws<RedisConnectionException>(() =>
            RespConnection.Open(new IPEndPoint(IPAddress.Loopback, peer.Port), options, "peercall-signals", Timeout)));
        await peer.AnswerFirstCommandAsync();
        var failure = await opening.WaitAsync(Timeout);
        Assert.Contains("WRONGPASS", failure.Message);
        Assert.StartsWith("*3\r\n$4\r\nAUTH\r\n$4\r\nnode\r\n$5\r\nwrong\r\n", peer.ReceivedSoFar());
    }

    [Fact]
    public async Task A_port_with_nothing_listening_fails_with_a_connection_error()
    {
        var port = FakeRedis.UnusedPort();
        var failure = Assert.Throws<RedisConnectionException>(() => RespConnection.Open(
            new IPEndPoint(IPAddress.Loopback, port), ConfigurationOptions.Parse($"127.0.0.1:{port}"), "peercall-signals", Timeout));
        Assert.Contains($"127.0.0.1:{port}", failure.Message);
    }

    [Fact]
    public void A_server_that_never_completes_the_connection_fails_within_the_connect_timeout()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        // Nobody accepts: once the accept queue is full, the kernel drops further connections' handshakes.
        var queued = Enumerable.Range(0, 4).Select(_ => new Socket(SocketType.Stream, ProtocolType.Tcp) { Blocking = false }).ToList();
        foreach (var socket in queued)
            try { socket.Connect(endPoint); } catch (SocketException) { }
        try
        {
            var clock = Stopwatch.StartNew();
            var failure = Assert.Throws<RedisConnectionException>(() => RespConnection.Open(endPoint,
                ConfigurationOptions.Parse($"127.0.0.1:{endPoint.Port},connectTimeout=500"), "peercall-signals", Timeout));
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(4));
            Assert.Contains($"127.0.0.1:{endPoint.Port}", failure.Message);
        }
        finally
        {
            queued.ForEach(socket => socket.Dispose());
        }
    }

    [Fact]
    public async Task A_write_to_a_redis_that_stopped_reading_fails_after_the_write_timeout()
    {
        await using var peer = await FakeRedis.StartAsync();
        using var connection = await peer.ConnectAsync("peercall-signals-out");
        var message = new byte[64 * 1024];

        // The peer reads nothing more: once both sockets' buffers are full, a write waits for room that never comes.
        var lastWrite = new Stopwatch();
        var failure = Assert.Throws<IOException>(() =>
        {
            for (var written = 0; written < 10_000; written++)
            {
                lastWrite.Restart();
                connection.Send(["PUBLISH", "signals"], message, default);
            }
        });
        Assert.InRange(lastWrite.Elapsed, RespConnection.WriteTimeout - TimeSpan.FromMilliseconds(100), 3 * RespConnection.WriteTimeout);
        Assert.IsType<SocketException>(failure.InnerException);

        // The failed write closed the connection, so the next writer fails at once, and so does the reader.
        lastWrite.Restart();
        Assert.Throws<ObjectDisposedException>(() => connection.Send("PING"));
        Assert.Throws<ObjectDisposedException>(() => connection.Read(new ReadOnlyMemory<byte>[1], out _));
        Assert.True(lastWrite.Elapsed < RespConnection.WriteTimeout, $"The writer after the failure waited {lastWrite.Elapsed}.");
    }

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>Accepts one connection; answers the first command (authentication or naming) as told, then sends
    /// only what the test gives it.</summary>
    private sealed class FakeRedis : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task<Socket> _accepted;
        private readonly string _answerToFirstCommand;
        private readonly StringBuilder _received = new();
        private Socket? _socket;

        private FakeRedis(TcpListener listener, string answerToFirstCommand)
        {
            _listener = listener;
            _answerToFirstCommand = answerToFirstCommand;
            _accepted = listener.AcceptSocketAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static Task<FakeRedis> StartAsync(string answerToFirstCommand = "+OK\r\n")
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new FakeRedis(listener, answerToFirstCommand));
        }

        public static int UnusedPort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        public async Task<RespConnection> ConnectAsync(string clientName)
        {
            var opening = Task.Run(() => RespConnection.Open(new IPEndPoint(IPAddress.Loopback, Port),
                ConfigurationOptions.Parse($"127.0.0.1:{Port}"), clientName, Timeout));
            await AnswerFirstCommandAsync();
            return await opening.WaitAsync(Timeout);
        }

        public async Task AnswerFirstCommandAsync()
        {
            _socket = await _accepted.WaitAsync(Timeout);
            var buffer = new byte[4096];
            var read = await _socket.ReceiveAsync(buffer).WaitAsync(Timeout);
            _received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            await SendAsync(_answerToFirstCommand, chunk: 64);
        }

        public string ReceivedSoFar() => _received.ToString();

        public async Task SendAsync(string text, int chunk)
        {
            var socket = _socket!;
            var bytes = Encoding.UTF8.GetBytes(text);
            for (var at = 0; at < bytes.Length; at += chunk)
            {
                await socket.SendAsync(bytes.AsMemory(at, Math.Min(chunk, bytes.Length - at)));
                if (chunk < 16) await Task.Delay(1);
            }
        }

        public void Close() => _socket?.Close();

        public ValueTask DisposeAsync()
        {
            _socket?.Dispose();
            _listener.Stop();
            return ValueTask.CompletedTask;
        }
    }
}
