using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Peercall.Bench.Load;

/// <summary>The server answered the upgrade request with something other than 101, or not at all.</summary>
public sealed class UpgradeRefusedException(int status, string detail)
    : Exception(status == 0 ? detail : $"HTTP {status}: {detail}")
{
    /// <summary>The HTTP status, or 0 when the server said nothing intelligible.</summary>
    public int Status { get; } = status;

    /// <summary>The stable code of a ProblemDetails answer (for example "server-full"), if it has one.</summary>
    public string? Code { get; } = System.Text.RegularExpressions.Regex.Match(detail, "\"code\"\\s*:\\s*\"([^\"]+)\"") is { Success: true } m
        ? m.Groups[1].Value
        : null;
}

/// <summary>
/// A WebSocket client cut down to what a load test needs, so that tens of thousands of them cost the load
/// processes little: one socket bound to a chosen loopback source address, one receive buffer, frames parsed in
/// place as bytes arrive, and payload handed on in chunks without copying. Sends are masked as RFC 6455 requires
/// and written synchronously under a lock; loopback buffers make that cheap and keep frames whole. Over TLS
/// (wss) the same runs through one <see cref="SslStream"/> per connection, the cost TLS adds and the one a
/// benchmark of it has to pay.
/// </summary>
public abstract class LeanWebSocket
{
    private const int ReceiveBufferSize = 8 * 1024;
    private const int MaxControlPayload = 125;
    private const byte OpText = 0x1, OpClose = 0x8, OpPing = 0x9, OpPong = 0xA;

    private readonly Lock _sendLock = new();
    private Socket? _socket;
    private SslStream? _tls;
    private int _closed;

    // Frame parser state: a header being collected, then the payload bytes still to come.
    private readonly byte[] _header = new byte[14];
    private int _headerHave;
    private long _payloadLeft;
    private bool _inPayload;
    private bool _fin;
    private bool _frameIsControl;
    private byte _controlOpcode;
    private byte[]? _control;
    private int _controlHave;

    public bool IsOpen => Volatile.Read(ref _closed) == 0 && _socket is not null;

    /// <summary>Why the connection closed, once it has.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>True when this side chose to close (<see cref="Close"/> or <see cref="Abort"/>).</summary>
    public bool ClosedLocally { get; private set; }

    /// <summary>Connects from <paramref name="source"/>, upgrades <paramref name="pathAndQuery"/> and starts
    /// receiving; with <paramref name="tls"/>, over TLS first. Throws <see cref="UpgradeRefusedException"/> with the
    /// server's own answer when it refuses.</summary>
    protected async Task OpenAsync(IPAddress source, IPEndPoint server, string pathAndQuery, CancellationToken ct,
        ServerTls? tls = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? stream = null;
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(server, ct);
            if (tls is not null)
            {
                stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
                await stream.AuthenticateAsClientAsync(tls.ClientOptions(), ct);
            }
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = Encoding.ASCII.GetBytes(
                $"GET {pathAndQuery} HTTP/1.1\r\nHost: {server}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n");
            if (stream is null) await socket.SendAsync(request, SocketFlags.None, ct);
            else await stream.WriteAsync(request, ct);

            var buffer = new byte[ReceiveBufferSize];
            var (headerEnd, have) = await ReadResponseHeadAsync(socket, stream, buffer, ct);
            var head = Encoding.ASCII.GetString(buffer, 0, headerEnd);
            var status = ParseStatus(head);
            if (status != 101)
                throw new UpgradeRefusedException(status, await ReadRefusalAsync(socket, stream, buffer, headerEnd, have, head));

            _socket = socket;
            _tls = stream;
            if (have > headerEnd + 4) Process(buffer.AsSpan(headerEnd + 4, have - headerEnd - 4));
            _ = ReceiveLoopAsync(socket, stream, buffer);
        }
        catch
        {
            stream?.Dispose();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Payload of the current data message, in order; <paramref name="endOfMessage"/> marks its last
    /// chunk. Runs on the receive loop, so it must be quick.</summary>
    protected abstract void OnPayload(ReadOnlySpan<byte> chunk, bool endOfMessage);

    protected abstract void OnClosed(string reason);

    protected void SendText(ReadOnlySpan<byte> payload) => SendFrame(OpText, payload);

    /// <summary>Closes politely: a close frame, then the socket.</summary>
    public void Close()
    {
        if (!IsOpen) return;
        ClosedLocally = true;
        Span<byte> normal = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(normal, 1000);
        SendFrame(OpClose, normal);
        Shutdown("closed by client");
    }

    /// <summary>Drops the connection without a word, as a device that loses its network would.</summary>
    public void Abort()
    {
        ClosedLocally = true;
        Shutdown("aborted by client");
    }

    private void SendFrame(byte opcode, ReadOnlySpan<byte> payload)
    {
        var socket = _socket;
        if (socket is null || Volatile.Read(ref _closed) != 0) return;
        var length = payload.Length;
        var lengthBytes = length < 126 ? 0 : length <= ushort.MaxValue ? 2 : 8;
        var headerLength = 2 + lengthBytes + 4;
        var frame = ArrayPool<byte>.Shared.Rent(headerLength + length);
        try
        {
            frame[0] = (byte)(0x80 | opcode);
            if (lengthBytes == 0) frame[1] = (byte)(0x80 | length);
            else if (lengthBytes == 2)
            {
                frame[1] = 0x80 | 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)length);
            }
            else
            {
                frame[1] = 0x80 | 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)length);
            }
            var mask = frame.AsSpan(2 + lengthBytes, 4);
            Random.Shared.NextBytes(mask);
            var body = frame.AsSpan(headerLength, length);
            payload.CopyTo(body);
            for (var i = 0; i < body.Length; i++) body[i] ^= mask[i & 3];

            lock (_sendLock)
            {
                if (_tls is { } tls)
                {
                    tls.Write(frame, 0, headerLength + length);
                }
                else
                {
                    var sent = 0;
                    while (sent < headerLength + length)
                        sent += socket.Send(frame, sent, headerLength + length - sent, SocketFlags.None);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            Shutdown($"send failed: {e.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, SslStream? tls, byte[] buffer)
    {
        string reason;
        try
        {
            while (true)
            {
                var read = await ReceiveAsync(socket, tls, buffer, CancellationToken.None);
                if (read == 0)
                {
                    reason = "server closed the connection";
                    break;
                }
                if (!Process(buffer.AsSpan(0, read)))
                {
                    reason = CloseReason ?? "closed";
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            reason = e switch
            {
                SocketException s => $"socket error {s.SocketErrorCode}",
                IOException { InnerException: SocketException s } => $"socket error {s.SocketErrorCode}",
                IOException io => $"TLS: {io.Message}",
                _ => "closed",
            };
        }
        Shutdown(reason);
    }

    private static ValueTask<int> ReceiveAsync(Socket socket, SslStream? tls, Memory<byte> buffer, CancellationToken ct) =>
        tls is null ? socket.ReceiveAsync(buffer, SocketFlags.None, ct) : tls.ReadAsync(buffer, ct);

    /// <summary>Feeds received bytes through the frame parser; false once a close frame has arrived.</summary>
    private bool Process(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (!_inPayload)
            {
                var need = HeaderLength();
                while (_headerHave < need && !data.IsEmpty)
                {
                    _header[_headerHave++] = data[0];
                    data = data[1..];
                    need = HeaderLength();
                }
                if (_headerHave < need) return true;
                StartFrame();
                if (_payloadLeft == 0 && !EndFrame(empty: true)) return false;
                continue;
            }

            var take = (int)Math.Min(_payloadLeft, data.Length);
            var chunk = data[..take];
            data = data[take..];
            _payloadLeft -= take;
            if (_frameIsControl)
            {
                chunk.CopyTo(_control.AsSpan(_controlHave));
                _controlHave += take;
            }
            else
            {
                OnPayload(chunk, _fin && _payloadLeft == 0);
            }
            if (_payloadLeft == 0 && !EndFrame(empty: false)) return false;
        }
        return true;
    }

    private int HeaderLength()
    {
        if (_headerHave < 2) return 2;
        var length7 = _header[1] & 0x7F;
        var masked = (_header[1] & 0x80) != 0;
        return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
    }

    private void StartFrame()
    {
        _fin = (_header[0] & 0x80) != 0;
        var opcode = (byte)(_header[0] & 0x0F);
        var length7 = _header[1] & 0x7F;
        _payloadLeft = length7 switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2)),
            127 => (long)BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2)),
            _ => length7,
        };
        _frameIsControl = opcode >= OpClose;
        if (_frameIsControl)
        {
            _control ??= new byte[MaxControlPayload];
            _controlHave = 0;
            _controlOpcode = opcode;
        }
        _headerHave = 0;
        _inPayload = true;
    }

    /// <summary>A frame's payload is complete: answers control frames and ends empty data messages.</summary>
    private bool EndFrame(bool empty)
    {
        _inPayload = false;
        if (!_frameIsControl)
        {
            if (empty && _fin) OnPayload(ReadOnlySpan<byte>.Empty, endOfMessage: true);
            return true;
        }
        switch (_controlOpcode)
        {
            case OpPing:
                SendFrame(OpPong, _control.AsSpan(0, _controlHave));
                return true;
            case OpClose:
                var code = _controlHave >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(_control) : 1005;
                var text = _controlHave > 2 ? Encoding.UTF8.GetString(_control.AsSpan(2, _controlHave - 2)) : "";
                CloseReason = $"server sent close {code} {text}".TrimEnd();
                SendFrame(OpClose, _control.AsSpan(0, Math.Min(2, _controlHave)));
                return false;
            default:
                return true;
        }
    }

    private void Shutdown(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        CloseReason ??= reason;
        try
        {
            _socket?.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _tls?.Dispose();
        _socket?.Dispose();
        OnClosed(CloseReason);
    }

    private static async Task<(int HeaderEnd, int Have)> ReadResponseHeadAsync(Socket socket, SslStream? tls,
        byte[] buffer, CancellationToken ct)
    {
        var have = 0;
        while (true)
        {
            var read = await ReceiveAsync(socket, tls, buffer.AsMemory(have), ct);
            if (read == 0)
                throw new UpgradeRefusedException(0, have == 0
                    ? "the server closed the connection without answering"
                    : "the server closed the connection in the middle of its answer");
            have += read;
            var end = buffer.AsSpan(0, have).IndexOf("\r\n\r\n"u8);
            if (end >= 0) return (end, have);
            if (have == buffer.Length) throw new UpgradeRefusedException(0, "the answer's headers are too long");
        }
    }

    private static int ParseStatus(string head)
    {
        var parts = head.Split(' ', 3);
        return parts.Length >= 2 && int.TryParse(parts[1], out var status) ? status : 0;
    }

    /// <summary>The body of a refusal (a ProblemDetails, say), read as far as the server sends it within a
    /// moment: by Content-Length, or until the end of a chunked body or of the connection.</summary>
    private static async Task<string> ReadRefusalAsync(Socket socket, SslStream? tls, byte[] buffer, int headerEnd,
        int have, string head, CancellationToken ct = default)
    {
        var bodyStart = headerEnd + 4;
        var headers = head.Split("\r\n");
        var lengthLine = headers.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var chunked = headers.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked"));
        var length = lengthLine is not null && int.TryParse(lengthLine[15..].Trim(), out var l) ? l : buffer.Length - bodyStart;
        length = Math.Min(length, buffer.Length - bodyStart);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            while (have - bodyStart < length && !(chunked && buffer.AsSpan(bodyStart, have - bodyStart).IndexOf("0\r\n\r\n"u8) >= 0))
            {
                var read = await ReceiveAsync(socket, tls, buffer.AsMemory(have), timeout.Token);
                if (read == 0) break;
                have += read;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
        var body = Encoding.UTF8.GetString(buffer, bodyStart, Math.Max(0, Math.Min(length, have - bodyStart)));
        if (chunked) body = string.Concat(body.Split("\r\n").Where((_, i) => i % 2 == 1));
        return body.Length > 0 ? $"{headers[0]} {body}" : headers[0];
    }
}
