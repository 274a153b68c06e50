using System.Buffers;
using System.IO.Pipelines;
using Peercall.Contracts;

namespace Peercall.Server.Realtime;

/// <summary>
/// One open realtime connection: a WebSocket carrying the hub protocol, read and written straight on its pipes.
/// An idle session holds no buffer: the read waits on the socket with nothing rented, and a message's buffer is
/// rented when it arrives and returned when it is handled. Invocations run one at a time, in order, as SignalR
/// runs them; sends may come from any thread and are written whole, one after another.
/// </summary>
public sealed class HubSession
{
    /// <summary>The largest message: a 64 KB session description plus its JSON envelope.</summary>
    public const int MaxMessageBytes = 80 * 1024;

    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(15);

    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Action _abort;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private byte[]? _message;
    private int _messageLength;
    private long _lastReceived = Environment.TickCount64;
    private volatile bool _closed;
    private bool _closedByClient;
    private Exception? _closeReason;

    public HubSession(string id, Guid userId, Guid sessionId, MessageBudget budget, IDuplexPipe transport, Action abort)
    {
        Id = id;
        UserId = userId;
        SessionId = sessionId;
        Budget = budget;
        _input = transport.Input;
        _output = transport.Output;
        _abort = abort;
    }

    public string Id { get; }
    public Guid UserId { get; }

    /// <summary>The sign-in session of the token the connection was opened with.</summary>
    public Guid SessionId { get; }

    public MessageBudget Budget { get; }

    /// <summary>Milliseconds since the client last sent anything (a ping at least every keep-alive interval).</summary>
    public long SilentFor => Environment.TickCount64 - Volatile.Read(ref _lastReceived);

    /// <summary>Writes one whole frame (from <see cref="HubWire"/>); a connection that is gone drops it.</summary>
    public async ValueTask SendAsync(byte[] frame)
    {
        if (_closed) return;
        await _writeLock.WaitAsync();
        await WriteHoldingLockAsync(frame);
    }

    /// <summary>Writes one whole frame from a buffer the caller reuses as soon as this returns: straight from it when
    /// no other write is under way, else from a copy that waits its turn.</summary>
    public ValueTask SendNowOrCopyAsync(ReadOnlySpan<byte> frame)
    {
        if (_closed) return ValueTask.CompletedTask;
        return _writeLock.Wait(0) ? WriteHoldingLockAsync(frame) : SendAsync(frame.ToArray());
    }

    /// <summary>Writes and flushes while holding the write lock, and releases it; the frame is in the pipe before
    /// this returns.</summary>
    private ValueTask WriteHoldingLockAsync(ReadOnlySpan<byte> frame)
    {
        var flushing = false;
        try
        {
            if (!_closed)
            {
                _output.Write(frame);
                var flush = _output.FlushAsync();
                flushing = !flush.IsCompletedSuccessfully;
                if (flushing) return FinishFlushAsync(flush);
                if (flush.Result.IsCompleted) Abort(null);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ObjectDisposedException)
        {
            Abort(e);
        }
        finally
        {
            if (!flushing) _writeLock.Release();
        }
        return ValueTask.CompletedTask;
    }

    private async ValueTask FinishFlushAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            if ((await flush).IsCompleted) Abort(null);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ObjectDisposedException)
        {
            Abort(e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Ends the connection now, without a goodbye: for a client gone silent, or a session signed out.</summary>
    public void Abort(Exception? reason)
    {
        if (_closed) return;
        _closeReason ??= reason ?? new OperationCanceledException("The connection was aborted.");
        _closed = true;
        _input.CancelPendingRead();
        _abort();
    }

    /// <summary>Says goodbye (the hub's close message, then a WebSocket close) and ends the connection.</summary>
    public async Task CloseAsync(string? error, bool allowReconnect, ushort status)
    {
        if (_closed) return;
        await SendAsync(HubWire.Close(error, allowReconnect));
        await SendAsync(WebSocketFrames.CloseFrame(status));
        _closeReason ??= error is null ? null : new HubProtocolException(error);
        _closed = true;
        _input.CancelPendingRead();
    }

    /// <summary>Answers the handshake, registers the connection, and serves it until it closes. An idle
    /// connection waits here, in this one method's state, for the socket's next bytes.</summary>
    public async Task RunAsync(IHubDispatcher hub)
    {
        var connected = false;
        var handshakeTimeout = new CancellationTokenSource(HandshakeTimeout);
        try
        {
            while (!_closed)
            {
                var read = await _input.ReadAsync(handshakeTimeout?.Token ?? CancellationToken.None);
                if (read.IsCanceled) break;
                Volatile.Write(ref _lastReceived, Environment.TickCount64);
                var buffer = read.Buffer;
                var frames = ReadFrames(ref buffer, out var pong);
                // After a frame to act on nothing further is examined, so the next read returns what is left at once.
                _input.AdvanceTo(buffer.Start, frames == FramesRead.NeedMore ? buffer.End : buffer.Start);
                switch (frames)
                {
                    case FramesRead.NeedMore when read.IsCompleted:
                        return;
                    case FramesRead.Ping:
                        await SendAsync(pong!);
                        break;
                    case FramesRead.Close:
                        _closedByClient = true;
                        await SendAsync(WebSocketFrames.CloseFrame(WebSocketFrames.NormalClosure));
                        return;
                    case FramesRead.Message when handshakeTimeout is not null:
                        var end = IndexOfRecordEnd(0);
                        if (end < 0) break;
                        handshakeTimeout.Dispose();
                        handshakeTimeout = null;
                        var refusal = HubWire.RefusalOf(_message.AsSpan(0, end));
                        ConsumeRecords(end + 1);
                        if (refusal is not null)
                        {
                            await SendAsync(HubWire.HandshakeRefused(refusal));
                            await SendAsync(WebSocketFrames.CloseFrame(WebSocketFrames.ProtocolError));
                            return;
                        }
                        connected = true;
                        await AcceptHandshakeAsync(hub);
                        await HandleBufferedRecordsAsync(hub);
                        break;
                    case FramesRead.Message:
                        await HandleBufferedRecordsAsync(hub);
                        break;
                }
            }
        }
        catch (WebSocketProtocolException e)
        {
            _closeReason ??= e;
            await SendAsync(WebSocketFrames.CloseFrame(e.Status));
        }
        catch (HubProtocolException e)
        {
            _closeReason ??= e;
            await CloseAsync($"Connection closed with an error: {e.Message}", allowReconnect: false, WebSocketFrames.ProtocolError);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            _closeReason ??= e;
        }
        finally
        {
            _closed = true;
            handshakeTimeout?.Dispose();
            ReturnMessageBuffer();
            if (connected)
                await hub.OnDisconnectedAsync(this, _closedByClient ? null : _closeReason ?? new EndOfStreamException("The connection closed without a goodbye."));
        }
    }

    /// <summary>Registers the connection with the application and answers the handshake. Nothing is sent to
    /// the client before the answer, even what arrives while the application takes the connection.</summary>
    private async Task AcceptHandshakeAsync(IHubDispatcher hub)
    {
        await _writeLock.WaitAsync();
        try
        {
            await hub.OnConnectedAsync(this);
            _output.Write(HubWire.HandshakeAccepted);
        }
        catch
        {
            _output.Write(HubWire.HandshakeRefused("The server could not take this connection. Try again in a moment."));
            _output.Write(WebSocketFrames.CloseFrame(WebSocketFrames.GoingAway));
            throw;
        }
        finally
        {
            await _output.FlushAsync();
            _writeLock.Release();
        }
    }

    private enum FramesRead { NeedMore, Message, Ping, Close }

    /// <summary>Reads frames until a whole text message is buffered, a control frame asks for an answer, or the
    /// buffer runs out.</summary>
    private FramesRead ReadFrames(ref ReadOnlySequence<byte> buffer, out byte[]? pong)
    {
        pong = null;
        while (WebSocketFrames.TryReadHeader(buffer, out var frame))
        {
            if (frame.PayloadLength > MaxMessageBytes)
                throw new WebSocketProtocolException(WebSocketFrames.MessageTooBig, $"A message may be at most {MaxMessageBytes} bytes long.");
            if (buffer.Length < frame.HeaderLength + frame.PayloadLength) return FramesRead.NeedMore;
            var payload = buffer.Slice(frame.HeaderLength, frame.PayloadLength);
            buffer = buffer.Slice(payload.End);
            switch (frame.Opcode)
            {
                case WebSocketOpcode.Text or WebSocketOpcode.Continuation:
                    Append(payload, frame.Mask);
                    if (frame.Fin) return FramesRead.Message;
                    break;
                case WebSocketOpcode.Binary:
                    throw new WebSocketProtocolException(WebSocketFrames.UnsupportedData, "This server speaks the JSON hub protocol in text messages only.");
                case WebSocketOpcode.Ping:
                    var data = new byte[payload.Length];
                    WebSocketFrames.Unmask(payload, data, frame.Mask);
                    pong = WebSocketFrames.Frame(WebSocketOpcode.Pong, data);
                    return FramesRead.Ping;
                case WebSocketOpcode.Close:
                    return FramesRead.Close;
            }
        }
        return FramesRead.NeedMore;
    }

    private void Append(ReadOnlySequence<byte> masked, uint mask)
    {
        var needed = _messageLength + (int)masked.Length;
        if (needed > MaxMessageBytes + 1)
            throw new WebSocketProtocolException(WebSocketFrames.MessageTooBig, $"A message may be at most {MaxMessageBytes} bytes long.");
        if (_message is null || _message.Length < needed)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 512));
            if (_message is not null)
            {
                _message.AsSpan(0, _messageLength).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_message);
            }
            _message = grown;
        }
        WebSocketFrames.Unmask(masked, _message.AsSpan(_messageLength), mask);
        _messageLength = needed;
    }

    private async Task HandleBufferedRecordsAsync(IHubDispatcher hub)
    {
        var start = 0;
        while (!_closed && IndexOfRecordEnd(start) is var end and >= 0)
        {
            await HandleRecordAsync(hub, start, end - start);
            start = end + 1;
        }
        ConsumeRecords(start);
    }

    private async Task HandleRecordAsync(IHubDispatcher hub, int offset, int length)
    {
        var record = HubWire.Parse(_message.AsSpan(offset, length));
        switch (record.Type)
        {
            case HubRecord.Invocation:
                var (result, resultType, error) = await InvokeAsync(hub, record, offset, length);
                // Without an invocation id the client asked for no answer, error or not.
                if (record.InvocationId is { } id)
                    await SendAsync(error is null ? HubWire.Completion(id, result, resultType) : HubWire.CompletionError(id, error));
                return;
            case HubRecord.StreamInvocation:
                if (record.InvocationId is not null)
                    await SendAsync(HubWire.CompletionError(record.InvocationId, $"{ProblemCodes.BadRequest}: This server does not stream."));
                return;
            case HubRecord.Close:
                _closedByClient = true;
                _closed = true;
                return;
            case HubRecord.Ping or HubRecord.CancelInvocation or HubRecord.Completion or HubRecord.StreamItem:
                return;
            default:
                throw new HubProtocolException($"Unknown message type {record.Type}.");
        }
    }

    /// <summary>The invocation's result and its type, or the error its caller is told.</summary>
    private async Task<(object? Result, Type? ResultType, string? Error)> InvokeAsync(IHubDispatcher hub, HubRecord record,
        int offset, int length)
    {
        if (record.Target is null) throw new HubProtocolException("An invocation needs a 'target'.");
        if (hub.Find(record.Target) is not { } method)
            return (null, null, $"{ProblemCodes.BadRequest}: There is no hub method '{record.Target}'.");
        object?[] arguments;
        try
        {
            arguments = HubWire.ReadArguments(_message.AsSpan(offset, length), record.ArgumentsStart, method.Parameters, method.Name);
        }
        catch (HubProtocolException e)
        {
            return (null, null, $"{ProblemCodes.BadRequest}: {e.Message}");
        }
        try
        {
            return (await hub.InvokeAsync(this, method, arguments), method.Result, null);
        }
        catch (HubMethodException e)
        {
            return (null, null, e.Message);
        }
    }

    private int IndexOfRecordEnd(int start) =>
        _message is null ? -1 : _message.AsSpan(start, _messageLength - start).IndexOf(HubWire.RecordSeparator) is var i and >= 0 ? start + i : -1;

    /// <summary>Drops the handled records; a record cut off at the end of the message waits for the rest.</summary>
    private void ConsumeRecords(int count)
    {
        if (_message is null) return;
        var rest = _messageLength - count;
        if (rest > 0) _message.AsSpan(count, rest).CopyTo(_message);
        _messageLength = rest;
        if (rest == 0) ReturnMessageBuffer();
    }

    private void ReturnMessageBuffer()
    {
        if (_message is null) return;
        ArrayPool<byte>.Shared.Return(_message);
        _message = null;
        _messageLength = 0;
    }
}
