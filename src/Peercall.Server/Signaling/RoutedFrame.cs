using System.Text;

namespace Peercall.Server.Signaling;

/// <summary>A frame on its way to another node through Redis: whom it is for (ASCII), a newline, and the frame as
/// the connections receive it, so the receiving node only looks them up and writes the bytes.</summary>
public static class RoutedFrame
{
    private const byte Separator = (byte)'\n';

    public static byte[] Pack(string recipients, byte[] frame)
    {
        var message = new byte[recipients.Length + 1 + frame.Length];
        var written = Encoding.ASCII.GetBytes(recipients, message);
        message[written] = Separator;
        frame.CopyTo(message.AsSpan(written + 1));
        return message;
    }

    public static (string Recipients, byte[] Frame) Unpack(ReadOnlyMemory<byte> message)
    {
        var separator = message.Span.IndexOf(Separator);
        if (separator <= 0) throw new FormatException("A routed frame starts with its recipients and a newline.");
        return (Encoding.ASCII.GetString(message.Span[..separator]), message[(separator + 1)..].ToArray());
    }
}
