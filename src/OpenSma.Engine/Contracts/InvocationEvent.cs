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

    public override void Write(Utf8JsonWriter writer, ActionData value, JsonSerializerOptions options)
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
        foreach (var item in items)
        {
            if (item.Key == name)
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteAll(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, JsonNode?>> items, JsonSerializerOptions options)
    {
        foreach (var (name, node) in items)
        {
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

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(InvocationEvent))]
internal sealed partial class InvocationEventJsonContext : JsonSerializerContext;

public static class InvocationEventSerializer
{
    // Phone numbers keep their '+' as the service writes them ("+12025550100", not "\u002B...").
    private static readonly InvocationEventJsonContext Compact = new(new JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static readonly InvocationEventJsonContext Indented = new(new JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    });

    public static byte[] ToUtf8(InvocationEvent invocationEvent) =>
        JsonSerializer.SerializeToUtf8Bytes(invocationEvent, Compact.InvocationEvent);

    public static string ToJson(InvocationEvent invocationEvent, bool indented = false) =>
        JsonSerializer.Serialize(invocationEvent, (indented ? Indented : Compact).InvocationEvent);
}
