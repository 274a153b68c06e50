using System.Buffers.Text;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using StackExchange.Redis;

namespace Peercall.Server.Cluster;

/// <summary>
/// One plain connection to Redis, read and written synchronously by its owner's thread: just enough of the
/// protocol (RESP2) for a subscriber. It connects as the node's StackExchange.Redis configuration says (TLS,
/// user and password, client name), so nothing has to be configured twice.
/// </summary>
public sealed class RespConnection : IDisposable
{
    /// <summary>Longer replies are taken for a broken stream: a routed frame is at most a hub message (80 KB).</summary>
    private const int MaxReplyBytes = 1024 * 1024;

    /// <summary>A write that finds no room in the socket's buffer for this long fails: Redis has stopped reading
    /// (stopped, or cut off without a reset), and the writer, a hub call relaying a signal, must not hang with it.</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly Stream _stream;
    private byte[] _buffer = new byte[16 * 1024];
    private byte[] _command = new byte[4 * 1024];
    private int _start, _end;

    private RespConnection(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
    }

    /// <summary>Connects, authenticates and names the connection; a read that waits longer than
    /// <paramref name="readTimeout"/> fails, and so does a write that waits longer than <see cref="WriteTimeout"/>.</summary>
    public static RespConnection Open(EndPoint endPoint, ConfigurationOptions options, string clientName, TimeSpan readTimeout)
    {
        endPoint = WithDefaultPort(endPoint, options.Ssl);
        // Connected synchronously, the socket stays a blocking one: a thread waiting in its read is woken by the
        // kernel itself. After one asynchronous call .NET makes it non-blocking for good, and a synchronous read
        // then waits for the sockets' shared event thread to signal it, one more wake-up per message that can wait
        // for a core on a busy node. On Linux the send timeout bounds a blocking connect.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendTimeout = options.ConnectTimeout };
        try
        {
            socket.Connect(endPoint);
            socket.ReceiveTimeout = (int)readTimeout.TotalMilliseconds;
            socket.SendTimeout = (int)WriteTimeout.TotalMilliseconds;
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Ssl)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
                {
                    TargetHost = options.SslHost ?? HostOf(endPoint),
                    EnabledSslProtocols = options.SslProtocols ?? default,
                });
                stream = ssl;
            }
            var connection = new RespConnection(socket, stream);
            connection.Handshake(options, clientName);
            return connection;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or AuthenticationException)
        {
            socket.Dispose();
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect,
                $"Could not connect to Redis at {endPoint}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Handshake(ConfigurationOptions options, string clientName)
    {
        if (options.Password is { Length: > 0 } password)
        {
            if (options.User is { Length: > 0 } user) Send("AUTH", user, password);
            else Send("AUTH", password);
            var answer = new ReadOnlyMemory<byte>[1];
            Read(answer, out var refused);
            if (refused) throw new RedisConnectionException(ConnectionFailureType.AuthenticationFailure,
                $"Redis refused this node's credentials: {Encoding.UTF8.GetString(answer[0].Span)}");
        }
        // Some hosted Redis forbid CLIENT commands: the name only helps whoever reads CLIENT LIST, so a refusal is fine.
        Send("CLIENT", "SETNAME", clientName);
        Read(new ReadOnlyMemory<byte>[1], out _);
    }

    /// <summary>Writes one command on the calling thread. One writer at a time: a <see cref="RedisLink"/> writes
    /// under its gate, which it holds anyway while it checks the connection. A write that fails closes the
    /// connection: a command cut short would make Redis read the next one as its rest, and the writers after it
    /// then fail at once instead of each waiting out the write timeout, while the reading thread reconnects.</summary>
    public void Send(params ReadOnlySpan<string> arguments) => Write(arguments, false, default, default);

    /// <summary>Writes one command whose last argument is <paramref name="lastStart"/> followed by
    /// <paramref name="lastEnd"/>, so a message in two parts need not be copied into one first.</summary>
    public void Send(ReadOnlySpan<string> arguments, ReadOnlySpan<byte> lastStart, ReadOnlySpan<byte> lastEnd) =>
        Write(arguments, true, lastStart, lastEnd);

    private void Write(ReadOnlySpan<string> arguments, bool withLast, ReadOnlySpan<byte> lastStart, ReadOnlySpan<byte> lastEnd)
    {
        var length = 32 + lastStart.Length + lastEnd.Length;
        foreach (var argument in arguments) length += Encoding.UTF8.GetByteCount(argument) + 16;
        if (_command.Length < length) _command = new byte[Math.Max(length, 2 * _command.Length)];
        var command = _command.AsSpan();
        var written = Header((byte)'*', arguments.Length + (withLast ? 1 : 0), command);
        foreach (var argument in arguments)
        {
            written += Header((byte)'$', Encoding.UTF8.GetByteCount(argument), command[written..]);
            written += Encoding.UTF8.GetBytes(argument, command[written..]);
            written += Crlf(command[written..]);
        }
        if (withLast)
        {
            written += Header((byte)'$', lastStart.Length + lastEnd.Length, command[written..]);
            lastStart.CopyTo(command[written..]);
            lastEnd.CopyTo(command[(written + lastStart.Length)..]);
            written += lastStart.Length + lastEnd.Length;
            written += Crlf(command[written..]);
        }
        try
        {
            _stream.Write(_command, 0, written);
        }
        catch (IOException)
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Reads the next reply into <paramref name="elements"/>: an array's elements (bulk strings, integers and
    /// simple strings as their text), or a lone reply as one element. The elements point into this connection's
    /// buffer and stay valid until the next read.</summary>
    /// <param name="isError">The reply is an error; its text is the one element.</param>
    /// <returns>How many elements the reply has (those beyond <paramref name="elements"/>' length are skipped).</returns>
    public int Read(Span<ReadOnlyMemory<byte>> elements, out bool isError)
    {
        Compact();
        var (kind, line) = ReadLine();
        isError = kind == '-';
        if (kind != '*')
        {
            elements[0] = Scalar(kind, line);
            return 1;
        }
        var count = ParseNumber(line);
        for (var i = 0; i < count; i++)
        {
            var (elementKind, elementLine) = ReadLine();
            var element = Scalar(elementKind, elementLine);
            if (i < elements.Length) elements[i] = element;
        }
        return (int)Math.Max(count, 0);
    }

    private ReadOnlyMemory<byte> Scalar(char kind, ReadOnlyMemory<byte> line)
    {
        switch (kind)
        {
            case '+' or ':' or '-':
                return line;
            case '$':
                var length = ParseNumber(line);
                if (length < 0) return ReadOnlyMemory<byte>.Empty;
                if (length > MaxReplyBytes) throw new IOException($"Redis sent a {length}-byte string; expected at most {MaxReplyBytes}.");
                Fill((int)length + 2);
                var value = new ReadOnlyMemory<byte>(_buffer, _start, (int)length);
                _start += (int)length + 2;
                return value;
            default:
                throw new IOException($"Redis sent a reply of unknown type '{kind}'.");
        }
    }

    private (char Kind, ReadOnlyMemory<byte> Line) ReadLine()
    {
        int end;
        var searched = 0;
        while ((end = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf("\r\n"u8)) < 0)
        {
            searched = Math.Max(0, _end - _start - 1);
            Fill(_end - _start + 1);
        }
        end += _start + searched;
        if (end == _start) throw new IOException("Redis sent an empty line.");
        var line = (Kind: (char)_buffer[_start], Line: new ReadOnlyMemory<byte>(_buffer, _start + 1, end - _start - 1));
        _start = end + 2;
        return line;
    }

    /// <summary>Reads until at least <paramref name="count"/> bytes from the read position are buffered.</summary>
    private void Fill(int count)
    {
        if (count > MaxReplyBytes + 64) throw new IOException("Redis sent a reply larger than a routed frame can be.");
        if (_start + count > _buffer.Length)
        {
            // Elements already read still point into the old buffer, which they keep alive.
            var larger = new byte[Math.Max(_buffer.Length, count) * 2];
            _buffer.AsSpan(_start, _end - _start).CopyTo(larger);
            (_buffer, _end, _start) = (larger, _end - _start, 0);
        }
        while (_end - _start < count)
        {
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0) throw new EndOfStreamException("Redis closed the connection.");
            _end += read;
        }
    }

    private void Compact()
    {
        if (_start == _end) _start = _end = 0;
        else if (_start > _buffer.Length / 2)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            (_end, _start) = (_end - _start, 0);
        }
    }

    private static long ParseNumber(ReadOnlyMemory<byte> text) =>
        Utf8Parser.TryParse(text.Span, out long value, out var consumed) && consumed == text.Length
            ? value
            : throw new IOException($"Redis sent '{Encoding.ASCII.GetString(text.Span)}' where a number belongs.");

    private static int Header(byte kind, int number, Span<byte> destination)
    {
        destination[0] = kind;
        Utf8Formatter.TryFormat(number, destination[1..], out var digits);
        return 1 + digits + Crlf(destination[(1 + digits)..]);
    }

    private static int Crlf(Span<byte> destination)
    {
        "\r\n"u8.CopyTo(destination);
        return 2;
    }

    private static EndPoint WithDefaultPort(EndPoint endPoint, bool ssl) => endPoint switch
    {
        DnsEndPoint { Port: 0 } dns => new DnsEndPoint(dns.Host, ssl ? 6380 : 6379),
        IPEndPoint { Port: 0 } ip => new IPEndPoint(ip.Address, ssl ? 6380 : 6379),
        _ => endPoint,
    };

    private static string HostOf(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => dns.Host,
        IPEndPoint ip => ip.Address.ToString(),
        _ => endPoint.ToString() ?? "",
    };

    public void Dispose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _stream.Dispose();
    }
}
