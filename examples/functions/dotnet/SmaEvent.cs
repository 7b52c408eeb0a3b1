using System.Text.Json.Serialization;

namespace OpenSma.Examples.DotnetHandler;

public sealed record SmaEvent(
    [property: JsonPropertyName("SchemaVersion")] string SchemaVersion,
    [property: JsonPropertyName("Sequence")] int Sequence,
    [property: JsonPropertyName("InvocationEventType")] string InvocationEventType,
    [property: JsonPropertyName("CallDetails")] CallDetails CallDetails);

public sealed record CallDetails(
    [property: JsonPropertyName("TransactionId")] string TransactionId,
    [property: JsonPropertyName("TransactionAttributes")] Dictionary<string, string>? TransactionAttributes,
    [property: JsonPropertyName("Participants")] IReadOnlyList<Participant> Participants);

public sealed record Participant(
    [property: JsonPropertyName("CallId")] string CallId,
    [property: JsonPropertyName("ParticipantTag")] string ParticipantTag,
    [property: JsonPropertyName("From")] string From);

public sealed record SmaAction(
    [property: JsonPropertyName("Type")] string Type,
    [property: JsonPropertyName("Parameters")] Dictionary<string, object> Parameters);

public sealed record SmaResponse(
    [property: JsonPropertyName("SchemaVersion")] string SchemaVersion,
    [property: JsonPropertyName("Actions")] IReadOnlyList<SmaAction> Actions,
    [property: JsonPropertyName("TransactionAttributes")] Dictionary<string, string>? TransactionAttributes);
