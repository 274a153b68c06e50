using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Peercall.Contracts.Signaling;

namespace Peercall.Bench.Load;

/// <summary>The hub refused the handshake or an invocation; the message is the server's own.</summary>
public sealed class HubErrorException(string message) : Exception(message);

/// <summary>
/// A SignalR client for Peercall's hub that speaks the JSON hub protocol directly over <see cref="LeanWebSocket"/>:
/// WebSockets only, no negotiation (as <c>Peercall.Client.SignalingConnection</c> does), records separated by
/// 0x1E. Invocations from the server are handed on as raw records; the listener looks only at what it needs.
/// A test checks it against the real SignalR client.
/// </summary>
public sealed class LeanHubConnection : LoadConnection
{
    public const byte RecordSeparator = 0x1E;
    private static readonly byte[] Handshake = "{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray();
    private static readonly byte[] Ping = "{\"type\":6}\u001e"u8.ToArray();

    private readonly TaskCompletionSource _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConcurrentDictionary<string, TaskCompletionSource<string>>? _pending;
    private byte[]? _partial;
    private int _partialLength;
    private int _nextInvocation;

    private LeanHubConnection(IConnectionListener listener) : base(listener)
    {
    }

    /// <summary>The close message the server sent (type 7), if any: its error says why.</summary>
    public string? ServerCloseMessage { get; private set; }

    /// <param name="accessToken">Peercall's access token; null for a hub that takes anyone (the empty hub of
    /// <c>bench/floor</c>, at <paramref name="hubPath"/>).</param>
    /// <param name="tls">Set for wss: TLS that trusts the server's own certificate authority.</param>
    public static async Task<LeanHubConnection> ConnectAsync(IConnectionListener listener, IPAddress source,
        IPEndPoint server, string? accessToken, int slot, CancellationToken ct, ServerTls? tls = null,
        string hubPath = SignalingRoutes.Hub)
    {
        var connection = new LeanHubConnection(listener) { Slot = slot };
        await connection.OpenAsync(source, server,
            accessToken is null ? hubPath : $"{hubPath}?access_token={Uri.EscapeDataString(accessToken)}", ct, tls);
        connection.SendText(Handshake);
        try
        {
            await connection._handshake.Task.WaitAsync(ct);
        }
        catch
        {
            connection.Abort();
            throw;
        }
        connection.ConnectedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        return connection;
    }

    public override void SendKeepAlive() => SendText(Ping);

    /// <summary>Sends a complete record (with its 0x1E) exactly as given.</summary>
    public void SendRecord(ReadOnlySpan<byte> record) => SendText(record);

    /// <summary>Invokes a hub method; the task ends with the completion record, or fails with the hub's error.</summary>
    public async Task<JsonElement> InvokeAsync(string target, params object?[] arguments)
    {
        var id = Interlocked.Increment(ref _nextInvocation).ToString();
        var completion = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        (_pending ??= new()).TryAdd(id, completion);
        var json = JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments }, HubJson.Options);
        SendText(Encoding.UTF8.GetBytes(json + (char)RecordSeparator));
        if (!IsOpen) completion.TrySetException(new HubErrorException($"Connection closed: {CloseReason}"));
        using var document = JsonDocument.Parse(await completion.Task);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error)) throw new HubErrorException(error.GetString() ?? "error");
        return root.TryGetProperty("result", out var result) ? result.Clone() : default;
    }

    protected override void OnPayload(ReadOnlySpan<byte> chunk, bool endOfMessage)
    {
        while (!chunk.IsEmpty)
        {
            var end = chunk.IndexOf(RecordSeparator);
            if (end < 0)
            {
                Append(chunk);
                return;
            }
            if (_partialLength > 0)
            {
                Append(chunk[..end]);
                Dispatch(_partial.AsSpan(0, _partialLength));
                _partialLength = 0;
            }
            else
            {
                Dispatch(chunk[..end]);
            }
            chunk = chunk[(end + 1)..];
        }
    }

    protected override void OnClosed(string reason)
    {
        var why = ServerCloseMessage is { } message ? $"{reason}; {message}" : reason;
        _handshake.TrySetException(new HubErrorException($"Connection closed before the handshake: {why}"));
        if (_pending is { } pending)
            foreach (var (_, completion) in pending)
                completion.TrySetException(new HubErrorException($"Connection closed: {why}"));
        base.OnClosed(why);
    }

    private void Dispatch(ReadOnlySpan<byte> record)
    {
        if (!_handshake.Task.IsCompleted)
        {
            if (record.IndexOf("\"error\""u8) >= 0)
                _handshake.TrySetException(new HubErrorException(Encoding.UTF8.GetString(record)));
            else
                _handshake.TrySetResult();
            return;
        }
        switch (HubJson.MessageType(record))
        {
            case HubJson.Invocation:
                Listener.OnMessage(this, record);
                break;
            case HubJson.Completion:
                Complete(record);
                break;
            case HubJson.Close:
                ServerCloseMessage = Encoding.UTF8.GetString(record);
                break;
        }
    }

    private void Complete(ReadOnlySpan<byte> record)
    {
        var id = HubJson.StringAfter(record, "\"invocationId\":\""u8);
        if (_pending is { } pending && !id.IsEmpty && pending.TryRemove(Encoding.UTF8.GetString(id), out var completion))
            completion.TrySetResult(Encoding.UTF8.GetString(record));
        else
            Listener.OnUnawaitedCompletion(this, record);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_partial is null || _partialLength + bytes.Length > _partial.Length)
            Array.Resize(ref _partial, Math.Max(1024, (_partialLength + bytes.Length) * 2));
        bytes.CopyTo(_partial.AsSpan(_partialLength));
        _partialLength += bytes.Length;
    }
}

/// <summary>What the load clients need of the JSON hub protocol: message types and cheap field lookups.</summary>
public static class HubJson
{
    public const int Invocation = 1, Completion = 3, Ping = 6, Close = 7;

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>The record's type; the server writes it first.</summary>
    public static int MessageType(ReadOnlySpan<byte> record)
    {
        var at = record.IndexOf("\"type\":"u8);
        return at < 0 || at + 7 >= record.Length ? -1 : record[at + 7] - '0';
    }

    /// <summary>The characters of a JSON string that follows <paramref name="prefix"/>, up to its closing quote.</summary>
    public static ReadOnlySpan<byte> StringAfter(ReadOnlySpan<byte> json, ReadOnlySpan<byte> prefix)
    {
        var at = json.IndexOf(prefix);
        if (at < 0) return default;
        var rest = json[(at + prefix.Length)..];
        var end = rest.IndexOf((byte)'"');
        return end < 0 ? default : rest[..end];
    }

    /// <summary>The digits that follow <paramref name="prefix"/>, as a number; -1 when absent.</summary>
    public static long NumberAfter(ReadOnlySpan<byte> json, ReadOnlySpan<byte> prefix)
    {
        var at = json.IndexOf(prefix);
        if (at < 0) return -1;
        long value = 0;
        var digits = 0;
        for (var i = at + prefix.Length; i < json.Length && json[i] is >= (byte)'0' and <= (byte)'9'; i++, digits++)
            value = value * 10 + (json[i] - '0');
        return digits == 0 ? -1 : value;
    }
}
