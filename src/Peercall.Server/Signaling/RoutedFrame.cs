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
        var head = WriteHead(recipients, message);
        frame.CopyTo(message.AsSpan(head));
        return message;
    }

    /// <summary>The length of what comes before the frame, for a message written in two parts.</summary>
    public static int HeadLength(string recipients) => recipients.Length + 1;

    public static int WriteHead(string recipients, Span<byte> destination)
    {
        var written = Encoding.ASCII.GetBytes(recipients, destination);
        destination[written] = Separator;
        return written + 1;
    }

    public static (string Recipients, byte[] Frame) Unpack(ReadOnlyMemory<byte> message)
    {
        var recipients = Recipients(message.Span, out var frame);
        return (recipients, frame.ToArray());
    }

    /// <summary>The recipients, and the frame as a part of <paramref name="message"/> (not copied).</summary>
    public static string Recipients(ReadOnlySpan<byte> message, out ReadOnlySpan<byte> frame)
    {
        var separator = message.IndexOf(Separator);
        if (separator <= 0) throw new FormatException("A routed frame starts with its recipients and a newline.");
        frame = message[(separator + 1)..];
        return Encoding.ASCII.GetString(message[..separator]);
    }
}
