using System.Text.Json.Serialization;

namespace OpenSma.Storage.Resources;

/// <summary>Serialization of the proxy and voice-analytics resource kinds (kept apart from
/// <see cref="ResourceJsonContext"/> so the original kinds' file stays as it is).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProxySession))]
[JsonSerializable(typeof(VoiceConnectorProxy))]
[JsonSerializable(typeof(VoiceProfileDomain))]
internal sealed partial class VoiceResourceJsonContext : JsonSerializerContext;
