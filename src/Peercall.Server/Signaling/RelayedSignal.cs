using System.Buffers;
using System.ComponentModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Peercall.Contracts.Signaling;
using Peercall.Server.Realtime;

namespace Peercall.Server.Signaling;

/// <summary>
/// A signal as the relay passes it on: what the relay checks (the call, the kind, the payload's length in
/// characters) and the hub message the receiving connection gets, written while the sender's message was read.
/// The payload, a few KB of SDP for an offer, never becomes a string, and the message is written into a pooled
/// array that the relay returns once it has passed the message on (into the connection's pipe, or to Redis): a
/// relay of thousands of signals a second allocates little, and meets few garbage-collector pauses.
/// </summary>
[JsonConverter(typeof(RelayedSignalReader)), DisplayName(nameof(Signal))]
public sealed class RelayedSignal(Guid callId, SignalKind? kind, int? payloadLength, byte[] rentedFrame, int frameLength)
{
    private byte[]? _rentedFrame = rentedFrame;

    public Guid CallId { get; } = callId;

    /// <summary>Null when it is missing or not one of the kinds.</summary>
    public SignalKind? Kind { get; } = kind;

    /// <summary>Null when the payload is missing.</summary>
    public int? PayloadLength { get; } = payloadLength;

    /// <summary>The hub message for the receiving connection; valid until <see cref="Release"/>.</summary>
    public ReadOnlySpan<byte> Frame => (_rentedFrame ?? throw new ObjectDisposedException(nameof(RelayedSignal))).AsSpan(0, frameLength);

    /// <summary>Gives the message's array back to the pool, once. A signal refused before it was relayed need not
    /// be released: its array is then only garbage.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _rentedFrame, null) is { } rented) ArrayPool<byte>.Shared.Return(rented);
    }
}

/// <summary>Reads a <see cref="Signal"/>'s JSON (property names in any case and order, unknown ones dropped) and
/// writes the <see cref="ISignalingClient.Signal"/> invocation that carries it.</summary>
public sealed class RelayedSignalReader : JsonConverter<RelayedSignal>
{
    private enum Property { CallId, Kind, Payload, Other }

    public override RelayedSignal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("A signal is a JSON object.");
        var callId = Guid.Empty;
        SignalKind? kind = null;
        int? payloadLength = null;
        var writer = HubWire.BeginInvocation(nameof(ISignalingClient.Signal));
        writer.WriteStartObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = PropertyOf(ref reader);
            reader.Read();
            switch (property)
            {
                case Property.CallId:
                    callId = reader.TokenType == JsonTokenType.String && reader.TryGetGuid(out var id) ? id : throw new JsonException("'callId' is not a GUID.");
                    writer.WriteString("callId", callId);
                    break;
                case Property.Kind:
                    kind = KindOf(ref reader, options);
                    if (kind is { } known)
                    {
                        writer.WritePropertyName("kind");
                        JsonSerializer.Serialize(writer, known, options);
                    }
                    break;
                case Property.Payload when reader.TokenType == JsonTokenType.Null:
                    payloadLength = null;
                    break;
                case Property.Payload when reader.TokenType == JsonTokenType.String:
                    payloadLength = WritePayload(ref reader, writer);
                    break;
                case Property.Payload:
                    throw new JsonException("'payload' is not a string.");
                default:
                    reader.Skip();
                    break;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("A signal is a JSON object.");
        writer.WriteEndObject();
        var frame = HubWire.EndInvocationRented(out var length);
        return new RelayedSignal(callId, kind, payloadLength, frame, length);
    }

    public override void Write(Utf8JsonWriter writer, RelayedSignal value, JsonSerializerOptions options) =>
        throw new NotSupportedException("A relayed signal is written as the frame it carries.");

    private static Property PropertyOf(ref Utf8JsonReader reader)
    {
        Span<byte> name = stackalloc byte[32];
        if (reader.ValueSpan.Length > name.Length) return Property.Other;
        name = name[..reader.CopyString(name)];
        return Ascii.EqualsIgnoreCase(name, "callId"u8) ? Property.CallId
            : Ascii.EqualsIgnoreCase(name, "kind"u8) ? Property.Kind
            : Ascii.EqualsIgnoreCase(name, "payload"u8) ? Property.Payload
            : Property.Other;
    }

    /// <summary>Read by the contract's own converter (a name in any case, or a number), or null when it is none of
    /// the kinds, for the relay to refuse with its own message.</summary>
    private static SignalKind? KindOf(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        try
        {
            return JsonSerializer.Deserialize<SignalKind?>(ref reader, options) is { } kind && Enum.IsDefined(kind) ? kind : null;
        }
        catch (JsonException)
        {
            reader.Skip();
            return null;
        }
    }

    /// <summary>Writes the payload as the receiver's message carries it; returns its length in characters.</summary>
    private static int WritePayload(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        // Unescaped, a JSON string is never longer than its escaped form.
        var rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            // CopyString refuses invalid UTF-8 (InvalidOperationException), which the caller answers as a bad argument.
            var payload = rented.AsSpan(0, reader.CopyString(rented));
            writer.WriteString("payload", payload);
            return Encoding.UTF8.GetCharCount(payload);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
