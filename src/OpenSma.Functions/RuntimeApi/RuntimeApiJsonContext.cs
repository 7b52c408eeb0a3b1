using System.Text.Json.Serialization;

namespace OpenSma.Functions.RuntimeApi;

internal sealed record RuntimeApiError(
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorType")] string ErrorType);

[JsonSerializable(typeof(RuntimeApiError))]
internal sealed partial class RuntimeApiJsonContext : JsonSerializerContext;
