using System.Text.Json.Serialization;

namespace OpenSma.Speech.Polly;

/// <summary>The SynthesizeSpeech request body (POST /v1/speech).</summary>
internal sealed record SynthesizeSpeechBody(
    string Engine,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LanguageCode,
    string OutputFormat,
    string SampleRate,
    string Text,
    string TextType,
    string VoiceId);

/// <summary>An AWS JSON error body; Polly writes the message as "message" or "Message".</summary>
internal sealed record PollyErrorBody(
    [property: JsonPropertyName("__type")] string? Type,
    [property: JsonPropertyName("message")] string? LowerMessage,
    [property: JsonPropertyName("Message")] string? Message);

[JsonSerializable(typeof(SynthesizeSpeechBody))]
[JsonSerializable(typeof(PollyErrorBody))]
internal sealed partial class PollyJsonContext : JsonSerializerContext;
