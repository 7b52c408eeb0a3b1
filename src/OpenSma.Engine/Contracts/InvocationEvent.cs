using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace OpenSma.Engine.Contracts;

/// <summary>The event the SMA sends to its handler (spec §2).</summary>
public sealed record InvocationEvent
{
    public string SchemaVersion { get; init; } = ResponseParser.SchemaVersion;

    public required int Sequence { get; init; }

    public required string InvocationEventType { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ActionData? ActionData { get; init; }

    public required CallDetails CallDetails { get; init; }

    /// <summary>Top level, on INVALID_LAMBDA_RESPONSE only (spec §3.11 [rec]).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorType { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorMessage { get; init; }
}

public sealed record CallDetails
{
    public required string TransactionId { get; init; }

    /// <summary>Present only when attributes are stored (spec §2.2).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? TransactionAttributes { get; init; }

    public required string AwsAccountId { get; init; }

    public required string AwsRegion { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SipRuleId { get; init; }

    public required string SipMediaApplicationId { get; init; }

    public required IReadOnlyList<Participant> Participants { get; init; }
}

public sealed record Participant
{
    public required string CallId { get; init; }

    public required string ParticipantTag { get; init; }

    public required string To { get; init; }

    public required string From { get; init; }

    public required string Direction { get; init; }

    /// <summary>Epoch milliseconds as a JSON string (spec §2.3).</summary>
    public required string StartTimeInMilliseconds { get; init; }

    /// <summary>Omitted on NEW_INBOUND_CALL, NEW_OUTBOUND_CALL and RINGING (spec §2.3).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? SipHeaders { get; init; }
}

/// <summary>
/// The action an event is about: its type, the echo of its parameters (as received, with the
/// resolved leg and filled-in defaults), its result fields, and failure fields (spec §2.4).
/// </summary>
[JsonConverter(typeof(ActionDataConverter))]
public sealed record ActionData
{
    public required string Type { get; init; }

    /// <summary>The parameters as the handler sent them (undefined for pseudo-actions).</summary>
    public JsonElement Parameters { get; init; }

    /// <summary>Values written into the echo: they replace a received value of that name or are added.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>> Resolved { get; init; } = [];

    /// <summary>Result fields written beside Parameters (ReceivedDigits, RecordingDestination, ...).</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>> Results { get; init; } = [];

    public string? ErrorType { get; init; }

    public string? ErrorMessage { get; init; }

    /// <summary>Also write <c>"Error": "Type: message"</c> (JoinChimeMeeting, StartCallRecording; spec §2.4 [rec]).</summary>
    public bool WriteCombinedError { get; init; }

    public ActionData WithError(ActionError error) =>
        this with { ErrorType = error.ErrorType, ErrorMessage = error.ErrorMessage };
}

internal sealed class ActionDataConverter : JsonConverter<ActionData>
{
    public override ActionData Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("ActionData is written by the service, never read.");

    public override void Write(Utf8JsonWriter writer, ActionData value, JsonSerializerOptions options) =>
        WriteData(writer, value, options);

    internal static void WriteData(Utf8JsonWriter writer, ActionData value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("Type", value.Type);
        writer.WritePropertyName("Parameters");
        writer.WriteStartObject();
        if (value.Parameters.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.Parameters.EnumerateObject())
            {
                if (!Contains(value.Resolved, property.Name))
                {
                    property.WriteTo(writer);
                }
            }
        }

        WriteAll(writer, value.Resolved, options);
        writer.WriteEndObject();
        WriteAll(writer, value.Results, options);
        if (value.ErrorType is not null)
        {
            writer.WriteString("ErrorType", value.ErrorType);
            writer.WriteString("ErrorMessage", value.ErrorMessage);
            if (value.WriteCombinedError)
            {
                writer.WriteString("Error", $"{value.ErrorType}: {value.ErrorMessage}");
            }
        }

        writer.WriteEndObject();
    }

    private static bool Contains(IReadOnlyList<KeyValuePair<string, JsonNode?>> items, string name)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Key == name)
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteAll(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, JsonNode?>> items, JsonSerializerOptions options)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var (name, node) = items[i];
            writer.WritePropertyName(name);
            if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer, options);
            }
        }
    }
}

/// <summary>
/// Writes events exactly as the service does: the property order of the records above, absent
/// optional fields left out, '+' in phone numbers unescaped. Written by hand rather than by the
/// serializer so one event costs one exact-size array and nothing else (the engine sends one per
/// handler round trip).
/// </summary>
public static class InvocationEventSerializer
{
    private static readonly JsonSerializerOptions NodeOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonWriterOptions CompactWriter = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly JsonWriterOptions IndentedWriter = CompactWriter with { Indented = true };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static byte[] ToUtf8(InvocationEvent invocationEvent)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(2048);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, CompactWriter);
        writer.Reset(buffer);
        Write(writer, invocationEvent);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the event into an array rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>
    /// (longer than the JSON: use the returned length). The caller returns it when nobody reads it any more.
    /// </summary>
    internal static (byte[] Array, int Length) ToPooledUtf8(InvocationEvent invocationEvent)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(2048);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, CompactWriter);
        writer.Reset(buffer);
        Write(writer, invocationEvent);
        writer.Flush();
        var written = buffer.WrittenSpan;
        var array = System.Buffers.ArrayPool<byte>.Shared.Rent(written.Length);
        written.CopyTo(array);
        return (array, written.Length);
    }

    public static string ToJson(InvocationEvent invocationEvent, bool indented = false)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer, indented ? IndentedWriter : CompactWriter))
        {
            Write(writer, invocationEvent);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, InvocationEvent e)
    {
        writer.WriteStartObject();
        writer.WriteString("SchemaVersion", e.SchemaVersion);
        writer.WriteNumber("Sequence", e.Sequence);
        writer.WriteString("InvocationEventType", e.InvocationEventType);
        if (e.ActionData is { } data)
        {
            writer.WritePropertyName("ActionData");
            ActionDataConverter.WriteData(writer, data, NodeOptions);
        }

        writer.WritePropertyName("CallDetails");
        WriteCallDetails(writer, e.CallDetails);
        WriteIfPresent(writer, "ErrorType", e.ErrorType);
        WriteIfPresent(writer, "ErrorMessage", e.ErrorMessage);
        writer.WriteEndObject();
    }

    private static void WriteCallDetails(Utf8JsonWriter writer, CallDetails details)
    {
        writer.WriteStartObject();
        writer.WriteString("TransactionId", details.TransactionId);
        if (details.TransactionAttributes is { } attributes)
        {
            writer.WritePropertyName("TransactionAttributes");
            WriteMap(writer, attributes);
        }

        writer.WriteString("AwsAccountId", details.AwsAccountId);
        writer.WriteString("AwsRegion", details.AwsRegion);
        WriteIfPresent(writer, "SipRuleId", details.SipRuleId);
        writer.WriteString("SipMediaApplicationId", details.SipMediaApplicationId);
        writer.WriteStartArray("Participants");
        var participants = details.Participants;
        for (var i = 0; i < participants.Count; i++)
        {
            var p = participants[i];
            writer.WriteStartObject();
            writer.WriteString("CallId", p.CallId);
            writer.WriteString("ParticipantTag", p.ParticipantTag);
            writer.WriteString("To", p.To);
            writer.WriteString("From", p.From);
            writer.WriteString("Direction", p.Direction);
            writer.WriteString("StartTimeInMilliseconds", p.StartTimeInMilliseconds);
            WriteIfPresent(writer, "Status", p.Status);
            if (p.SipHeaders is { } headers)
            {
                writer.WritePropertyName("SipHeaders");
                WriteMap(writer, headers);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> map)
    {
        writer.WriteStartObject();
        if (map is AttributeMap compact)
        {
            // Indexed: the interface's enumerator would be boxed on every event.
            foreach (var (key, value) in compact.Pairs)
            {
                writer.WriteString(key, value);
            }
        }
        else
        {
            foreach (var (key, value) in map)
            {
                writer.WriteString(key, value);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
