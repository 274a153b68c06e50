using System.Net;
using System.Text;

namespace Peercall.Bench.Load;

/// <summary>
/// A PeerJS client as the browser library talks to the server: a WebSocket to <c>/peerjs?key&amp;id&amp;token</c>,
/// an OPEN message once registered, <c>{type, dst, payload}</c> out and <c>{type, src, dst, payload}</c> in, and
/// a HEARTBEAT now and then so the server keeps it.
/// </summary>
public sealed class PeerJsConnection : LoadConnection
{
    public const string Key = "peerjs";
    private static readonly byte[] Heartbeat = "{\"type\":\"HEARTBEAT\"}"u8.ToArray();

    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]? _partial;
    private int _partialLength;

    private PeerJsConnection(IConnectionListener listener) : base(listener)
    {
    }

    public static async Task<PeerJsConnection> ConnectAsync(IConnectionListener listener, IPAddress source,
        IPEndPoint server, string id, int slot, CancellationToken ct)
    {
        var connection = new PeerJsConnection(listener) { Slot = slot };
        await connection.OpenAsync(source, server, $"/peerjs?key={Key}&id={id}&token=t{id}", ct);
        try
        {
            await connection._opened.Task.WaitAsync(ct);
        }
        catch
        {
            connection.Abort();
            throw;
        }
        connection.ConnectedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        return connection;
    }

    public override void SendKeepAlive() => SendText(Heartbeat);

    public void SendMessage(ReadOnlySpan<byte> json) => SendText(json);

    protected override void OnPayload(ReadOnlySpan<byte> chunk, bool endOfMessage)
    {
        if (!endOfMessage || _partialLength > 0)
        {
            if (_partial is null || _partialLength + chunk.Length > _partial.Length)
                Array.Resize(ref _partial, Math.Max(1024, (_partialLength + chunk.Length) * 2));
            chunk.CopyTo(_partial.AsSpan(_partialLength));
            _partialLength += chunk.Length;
            if (!endOfMessage) return;
            chunk = _partial.AsSpan(0, _partialLength);
            _partialLength = 0;
        }
        Dispatch(chunk);
    }

    protected override void OnClosed(string reason)
    {
        _opened.TrySetException(new HubErrorException($"Connection closed before OPEN: {reason}"));
        base.OnClosed(reason);
    }

    private void Dispatch(ReadOnlySpan<byte> message)
    {
        if (!_opened.Task.IsCompleted)
        {
            if (message.IndexOf("\"type\":\"OPEN\""u8) >= 0) _opened.TrySetResult();
            else _opened.TrySetException(new HubErrorException(Encoding.UTF8.GetString(message)));
            return;
        }
        Listener.OnMessage(this, message);
    }
}
