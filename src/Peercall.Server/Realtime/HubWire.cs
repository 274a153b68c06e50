using System.Buffers;
using System.ComponentModel;
using System.Reflection;
using System.Text.Json;

namespace Peercall.Server.Realtime;

/// <summary>What a client sent in one record of the hub protocol.</summary>
public readonly record struct HubRecord(int Type, string? InvocationId, string? Target, int ArgumentsStart)
{
    public const int Invocation = 1;
    public const int StreamItem = 2;
    public const int Completion = 3;
    public const int StreamInvocation = 4;
    public const int CancelInvocation = 5;
    public const int Ping = 6;
    public const int Close = 7;
}

/// <summary>A record that is not a message of the hub protocol, or arguments that do not fit the method.</summary>
public sealed class HubProtocolException(string message) : Exception(message);

/// <summary>
/// SignalR's JSON hub protocol, version 1 (docs/protocol.md): a handshake, then JSON records each ended by 0x1E,
/// carried in WebSocket text messages. Speaking it keeps every SignalR client (the .NET one of Peercall.Client and
/// the web app, the JavaScript one) working unchanged. What goes out is written here as whole WebSocket frames.
/// </summary>
public static class HubWire
{
    public const byte RecordSeparator = 0x1E;

    /// <summary>The same serializer settings as SignalR's JSON protocol, so payloads read and write alike.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        MaxDepth = 64,
    };

    public static readonly byte[] HandshakeAccepted = TextFrame("{}\u001e"u8);
    public static readonly byte[] Ping = TextFrame("{\"type\":6}\u001e"u8);

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary>Null when the handshake asks for the JSON protocol, version 1; otherwise why not.</summary>
    public static string? RefusalOf(ReadOnlySpan<byte> handshake)
    {
        string? protocol = null;
        int? version = null;
        try
        {
            var reader = new Utf8JsonReader(handshake);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return "The handshake must be a JSON object.";
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == "protocol" && reader.TokenType == JsonTokenType.String) protocol = reader.GetString();
                else if (name == "version" && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var v)) version = v;
                else reader.Skip();
            }
        }
        catch (JsonException)
        {
            return "The handshake is not valid JSON.";
        }
        if (protocol != "json") return $"The protocol '{protocol}' is not supported; this server speaks 'json'.";
        if (version != 1) return $"Version {version?.ToString() ?? "(none)"} of the 'json' protocol is not supported; this server speaks version 1.";
        return null;
    }

    public static byte[] HandshakeRefused(string error) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", error);
        w.WriteEndObject();
    });

    /// <summary>Reads a record's kind, invocation id and target, and where its arguments start.</summary>
    public static HubRecord Parse(ReadOnlySpan<byte> record)
    {
        try
        {
            var reader = new Utf8JsonReader(record);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new HubProtocolException("A message must be a JSON object.");
            int? type = null;
            string? invocationId = null, target = null;
            var arguments = -1;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    type = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var t) ? t
                        : throw new HubProtocolException("'type' must be a number.");
                }
                else if (reader.ValueTextEquals("invocationId"u8))
                {
                    reader.Read();
                    invocationId = reader.TokenType == JsonTokenType.String ? reader.GetString()
                        : throw new HubProtocolException("'invocationId' must be a string.");
                }
                else if (reader.ValueTextEquals("target"u8))
                {
                    reader.Read();
                    target = reader.TokenType == JsonTokenType.String ? reader.GetString()
                        : throw new HubProtocolException("'target' must be a string.");
                }
                else if (reader.ValueTextEquals("arguments"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray) throw new HubProtocolException("'arguments' must be an array.");
                    arguments = (int)reader.TokenStartIndex;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject) throw new HubProtocolException("A message must be one JSON object.");
            return new HubRecord(type ?? throw new HubProtocolException("A message needs a 'type'."), invocationId, target, arguments);
        }
        catch (JsonException e)
        {
            throw new HubProtocolException($"A message is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Reads an invocation's arguments as the method's parameter types.</summary>
    public static object?[] ReadArguments(ReadOnlySpan<byte> record, int argumentsStart, IReadOnlyList<Type> parameters, string method)
    {
        if (argumentsStart < 0)
            return parameters.Count == 0 ? [] : throw new HubProtocolException($"{method} takes {parameters.Count} argument(s); none were given.");
        var reader = new Utf8JsonReader(record[argumentsStart..]);
        reader.Read();
        var values = new object?[parameters.Count];
        var given = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (given < values.Length)
            {
                try
                {
                    values[given] = JsonSerializer.Deserialize(ref reader, parameters[given], Json);
                    if (values[given] is null && parameters[given].IsValueType && Nullable.GetUnderlyingType(parameters[given]) is null)
                        throw new JsonException();
                }
                catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
                {
                    // A type read for the server's own ends is named as the clients know it (DisplayName).
                    var type = parameters[given];
                    throw new HubProtocolException($"Argument {given + 1} of {method} is not a {type.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName ?? type.Name}.");
                }
            }
            else reader.Skip();
            given++;
        }
        if (given != values.Length)
            throw new HubProtocolException($"{method} takes {values.Length} argument(s); {given} were given.");
        return values;
    }

    public static byte[] Invocation<T>(string target, T argument) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("type", HubRecord.Invocation);
        w.WriteString("target", target);
        w.WriteStartArray("arguments");
        JsonSerializer.Serialize(w, argument, Json);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static byte[] Completion(string invocationId, object? result, Type? resultType) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("type", HubRecord.Completion);
        w.WriteString("invocationId", invocationId);
        if (resultType is not null)
        {
            w.WritePropertyName("result");
            JsonSerializer.Serialize(w, result, resultType, Json);
        }
        w.WriteEndObject();
    });

    public static byte[] CompletionError(string invocationId, string error) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("type", HubRecord.Completion);
        w.WriteString("invocationId", invocationId);
        w.WriteString("error", error);
        w.WriteEndObject();
    });

    /// <summary>The server's last word on a connection. Without <paramref name="allowReconnect"/>, SignalR clients
    /// stop instead of reconnecting.</summary>
    public static byte[] Close(string? error, bool allowReconnect) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("type", HubRecord.Close);
        if (error is not null) w.WriteString("error", error);
        w.WriteBoolean("allowReconnect", allowReconnect);
        w.WriteEndObject();
    });

    /// <summary>Starts an invocation of <paramref name="target"/> on this thread's writer, left inside its arguments
    /// array for the caller to write them; <see cref="EndInvocationRented"/> closes it and returns the frame. Nothing
    /// else may be written on this thread in between.</summary>
    public static Utf8JsonWriter BeginInvocation(string target)
    {
        var writer = Begin();
        writer.WriteStartObject();
        writer.WriteNumber("type", HubRecord.Invocation);
        writer.WriteString("target", target);
        writer.WriteStartArray("arguments");
        return writer;
    }

    /// <summary>Closes the invocation; the frame is the first <paramref name="length"/> bytes of an array rented from
    /// <see cref="ArrayPool{T}.Shared"/>, for a message that is passed on at once and the array returned.</summary>
    public static byte[] EndInvocationRented(out int length)
    {
        var writer = t_writer!;
        writer.WriteEndArray();
        writer.WriteEndObject();
        var json = Flushed();
        length = FrameLength(json);
        var frame = ArrayPool<byte>.Shared.Rent(length);
        WriteFrame(json, frame);
        return frame;
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        write(Begin());
        return End();
    }

    /// <summary>This thread's writer, emptied (a message written before may have stopped halfway).</summary>
    private static Utf8JsonWriter Begin()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        writer.Reset();
        buffer.ResetWrittenCount();
        return writer;
    }

    /// <summary>The message written since <see cref="Begin"/>, as one text frame ending in the record separator.</summary>
    private static byte[] End()
    {
        var json = Flushed();
        var frame = new byte[FrameLength(json)];
        WriteFrame(json, frame);
        return frame;
    }

    private static ReadOnlySpan<byte> Flushed()
    {
        var buffer = t_buffer!;
        t_writer!.Flush();
        var json = buffer.WrittenSpan;
        // A rare large message (a session description) does not stay with the thread; the span stays valid.
        if (buffer.Capacity > 16 * 1024) (t_buffer, t_writer) = (null, null);
        return json;
    }

    private static int FrameLength(ReadOnlySpan<byte> json) => WebSocketFrames.HeaderLength(json.Length + 1) + json.Length + 1;

    private static void WriteFrame(ReadOnlySpan<byte> json, Span<byte> frame)
    {
        var header = WebSocketFrames.WriteHeader(frame, WebSocketOpcode.Text, json.Length + 1);
        json.CopyTo(frame[header..]);
        frame[header + json.Length] = RecordSeparator;
    }

    private static byte[] TextFrame(ReadOnlySpan<byte> payload) => WebSocketFrames.Frame(WebSocketOpcode.Text, payload);
}
