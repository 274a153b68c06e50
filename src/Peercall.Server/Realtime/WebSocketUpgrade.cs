using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Peercall.Server.Realtime;

/// <summary>An HTTP/1.1 request to open a WebSocket, as read from the connection itself: its key, its bearer token
/// (from the query, since browsers cannot set headers on WebSockets, or from the header), and its length in bytes.</summary>
public sealed record UpgradeRequest(string Key, string? Token, long Length);

/// <summary>
/// Opens WebSockets two ways. On a plain HTTP/1.1 connection whose first request is an upgrade to the given path,
/// it reads the request from the socket before Kestrel's HTTP layer sees it, so an open WebSocket keeps nothing of
/// HTTP (no HttpContext, request headers or middleware frames: about 10 KB per connection, bench/floor). Every
/// other request, and every request it leaves alone, goes to HTTP as usual, where <see cref="AcceptAsync"/> takes
/// WebSockets over HTTP/1.1 and over HTTP/2 (RFC 8441, what browsers use on an HTTPS page served over HTTP/2).
/// </summary>
public static class WebSocketUpgrade
{
    private const int MaxRequestBytes = 16 * 1024;
    private static readonly byte[] HeadersEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>Reads the connection's first request if it is a WebSocket upgrade to <paramref name="path"/>. It
    /// consumes nothing: the bytes stay for HTTP unless <see cref="AcceptAsync(IDuplexPipe, UpgradeRequest)"/> takes them.</summary>
    public static async Task<UpgradeRequest?> TryReadAsync(PipeReader input, string path, CancellationToken cancel)
    {
        var prefix = Encoding.ASCII.GetBytes($"GET {path}");
        while (true)
        {
            var read = await input.ReadAsync(cancel);
            var buffer = read.Buffer;
            var seen = buffer.Slice(0, Math.Min(buffer.Length, MaxRequestBytes));
            if (!StartsWith(seen, prefix, out var complete))
            {
                input.AdvanceTo(buffer.Start);
                return null;
            }
            if (complete && new SequenceReader<byte>(seen).TryReadTo(out ReadOnlySequence<byte> head, HeadersEnd))
            {
                input.AdvanceTo(buffer.Start);
                return Parse(Encoding.Latin1.GetString(head), path, head.Length + HeadersEnd.Length);
            }
            if (read.IsCompleted || buffer.Length >= MaxRequestBytes)
            {
                input.AdvanceTo(buffer.Start);
                return null;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Takes the request from the connection and answers it: from here on the connection carries frames.</summary>
    public static async Task AcceptAsync(IDuplexPipe transport, UpgradeRequest request)
    {
        var read = await transport.Input.ReadAsync();
        transport.Input.AdvanceTo(read.Buffer.GetPosition(request.Length));
        transport.Output.Write(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {AcceptKey(request.Key)}\r\n\r\n"));
        await transport.Output.FlushAsync();
    }

    /// <summary>Whether an HTTP request opens a WebSocket (an HTTP/1.1 upgrade or an HTTP/2 extended CONNECT).</summary>
    public static bool IsRequest(HttpContext http) =>
        http.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true, Protocol: var protocol }
            ? string.Equals(protocol, "websocket", StringComparison.OrdinalIgnoreCase)
            : http.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
              && HttpMethods.IsGet(http.Request.Method)
              && HasToken(http.Request.Headers.Upgrade.ToString(), "websocket")
              && http.Request.Headers.SecWebSocketVersion == "13"
              && IsValidKey(http.Request.Headers.SecWebSocketKey.ToString());

    /// <summary>Accepts a WebSocket request that <see cref="IsRequest"/> approved; the stream carries its frames.</summary>
    public static async Task<IDuplexPipe> AcceptAsync(HttpContext http)
    {
        Stream stream;
        if (http.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
            stream = await connect.AcceptAsync();
        else
        {
            http.Response.Headers.Connection = "Upgrade";
            http.Response.Headers.Upgrade = "websocket";
            http.Response.Headers.SecWebSocketAccept = AcceptKey(http.Request.Headers.SecWebSocketKey.ToString());
            stream = await http.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        }
        return new StreamPipe(
            PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, useZeroByteReads: true, leaveOpen: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)));
    }

    private static UpgradeRequest? Parse(string head, string path, long length)
    {
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[2] != "HTTP/1.1") return null;
        var target = requestLine[1];
        var q = target.IndexOf('?');
        var query = q >= 0 ? target[(q + 1)..] : "";
        if (!string.Equals(q >= 0 ? target[..q] : target, path, StringComparison.OrdinalIgnoreCase)) return null;

        string? upgrade = null, connection = null, key = null, version = null, bearer = null;
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0) return null;
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)) upgrade = value;
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) connection = value;
            else if (name.Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase)) key = value;
            else if (name.Equals("Sec-WebSocket-Version", StringComparison.OrdinalIgnoreCase)) version = value;
            else if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
                     && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) bearer = value["Bearer ".Length..].Trim();
        }
        if (upgrade is null || !HasToken(upgrade, "websocket") || connection is null || !HasToken(connection, "upgrade")
            || version != "13" || key is null || !IsValidKey(key))
            return null;
        return new UpgradeRequest(key, QueryValue(query, "access_token") ?? bearer, length);
    }

    private static string? QueryValue(string query, string name)
    {
        foreach (var pair in query.Split('&'))
        {
            var equals = pair.IndexOf('=');
            if (equals > 0 && pair.AsSpan(0, equals).SequenceEqual(name))
                return Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
        }
        return null;
    }

    /// <summary>Whether the bytes start with <paramref name="prefix"/> ("GET /path") followed by a space or '?':
    /// the method exactly, the path without regard to case, as ASP.NET Core's routing matches it.
    /// <paramref name="complete"/> is false while there are too few bytes to tell.</summary>
    private static bool StartsWith(ReadOnlySequence<byte> buffer, byte[] prefix, out bool complete)
    {
        var length = (int)Math.Min(buffer.Length, prefix.Length + 1);
        Span<byte> start = stackalloc byte[length];
        buffer.Slice(0, length).CopyTo(start);
        complete = length == prefix.Length + 1;
        var method = Math.Min(length, "GET ".Length);
        var path = Math.Min(length, prefix.Length);
        return start[..method].SequenceEqual(prefix.AsSpan(0, method))
               && Ascii.EqualsIgnoreCase(start[method..path], prefix.AsSpan(method, path - method))
               && (!complete || start[^1] is (byte)' ' or (byte)'?');
    }

    private static bool HasToken(string header, string token) =>
        header.Split(',').Any(part => part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase));

    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return Convert.TryFromBase64String(key, decoded, out var length) && length == 16;
    }

    private static string AcceptKey(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

    private sealed record StreamPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
