using System.Buffers;
using System.Buffers.Binary;

namespace Peercall.Server.Realtime;

public enum WebSocketOpcode : byte
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}

/// <summary>The header of a frame a client sent: <see cref="HeaderLength"/> bytes followed by
/// <see cref="PayloadLength"/> bytes masked with <see cref="Mask"/>.</summary>
public readonly record struct ClientFrame(bool Fin, WebSocketOpcode Opcode, int HeaderLength, long PayloadLength, uint Mask)
{
    public bool IsControl => ((byte)Opcode & 0x8) != 0;
}

/// <summary>A client broke RFC 6455; the connection is closed with <see cref="Status"/>.</summary>
public sealed class WebSocketProtocolException(ushort status, string message) : Exception(message)
{
    public ushort Status { get; } = status;
}

/// <summary>
/// RFC 6455 framing, server side: frames from clients are masked, frames to them are not, so one frame written
/// for a message can go to every recipient as it is. No extension is negotiated, so the reserved bits stay zero.
/// </summary>
public static class WebSocketFrames
{
    public const ushort NormalClosure = 1000;
    public const ushort GoingAway = 1001;
    public const ushort ProtocolError = 1002;
    public const ushort UnsupportedData = 1003;
    public const ushort MessageTooBig = 1009;

    /// <summary>Reads the header of the next frame; false when more bytes are needed for it.</summary>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, out ClientFrame frame)
    {
        frame = default;
        Span<byte> header = stackalloc byte[14];
        if (buffer.Length < 2) return false;
        buffer.Slice(0, 2).CopyTo(header);
        var fin = (header[0] & 0x80) != 0;
        if ((header[0] & 0x70) != 0) throw new WebSocketProtocolException(ProtocolError, "A reserved bit is set, but no extension was negotiated.");
        var opcode = (WebSocketOpcode)(header[0] & 0x0F);
        if (opcode is not (WebSocketOpcode.Continuation or WebSocketOpcode.Text or WebSocketOpcode.Binary
            or WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong))
            throw new WebSocketProtocolException(ProtocolError, $"Unknown opcode {(byte)opcode}.");
        if ((header[1] & 0x80) == 0) throw new WebSocketProtocolException(ProtocolError, "Frames from a client must be masked.");

        var length7 = header[1] & 0x7F;
        var lengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        var headerLength = 2 + lengthBytes + 4;
        if (buffer.Length < headerLength) return false;
        buffer.Slice(0, headerLength).CopyTo(header);
        long length = lengthBytes switch
        {
            2 => BinaryPrimitives.ReadUInt16BigEndian(header[2..]),
            8 => (long)BinaryPrimitives.ReadUInt64BigEndian(header[2..]),
            _ => length7,
        };
        if (length < 0) throw new WebSocketProtocolException(ProtocolError, "The frame length is out of range.");
        frame = new ClientFrame(fin, opcode, headerLength, length, BinaryPrimitives.ReadUInt32LittleEndian(header[(2 + lengthBytes)..]));
        if (frame.IsControl && (!fin || length > 125))
            throw new WebSocketProtocolException(ProtocolError, "A control frame must be whole and at most 125 bytes long.");
        return true;
    }

    /// <summary>Copies a masked payload into <paramref name="destination"/>, unmasked.</summary>
    public static void Unmask(in ReadOnlySequence<byte> masked, Span<byte> destination, uint mask)
    {
        masked.CopyTo(destination);
        var data = destination[..(int)masked.Length];
        var wide = ((ulong)mask << 32) | mask;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            var chunk = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            BinaryPrimitives.WriteUInt64LittleEndian(data[i..], chunk ^ wide);
        }
        for (; i < data.Length; i++) data[i] ^= (byte)(mask >> (8 * (i & 3)));
    }

    /// <summary>Writes the header of an unmasked, final frame; returns its length.</summary>
    public static int WriteHeader(Span<byte> destination, WebSocketOpcode opcode, int payloadLength)
    {
        destination[0] = (byte)(0x80 | (byte)opcode);
        switch (payloadLength)
        {
            case < 126:
                destination[1] = (byte)payloadLength;
                return 2;
            case <= ushort.MaxValue:
                destination[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
                return 4;
            default:
                destination[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
                return 10;
        }
    }

    public static int HeaderLength(int payloadLength) => payloadLength < 126 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10;

    /// <summary>A whole frame with <paramref name="payload"/>, ready to be written to any connection.</summary>
    public static byte[] Frame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeaderLength(payload.Length) + payload.Length];
        var header = WriteHeader(frame, opcode, payload.Length);
        payload.CopyTo(frame.AsSpan(header));
        return frame;
    }

    public static byte[] CloseFrame(ushort status)
    {
        Span<byte> payload = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(payload, status);
        return Frame(WebSocketOpcode.Close, payload);
    }
}
