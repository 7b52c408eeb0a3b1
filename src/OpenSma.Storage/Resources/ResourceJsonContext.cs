using System.Text.Json.Serialization;

namespace OpenSma.Storage.Resources;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SipMediaApplication))]
[JsonSerializable(typeof(SipRule))]
[JsonSerializable(typeof(PhoneNumber))]
[JsonSerializable(typeof(PhoneNumberOrder))]
[JsonSerializable(typeof(VoiceConnector))]
[JsonSerializable(typeof(VoiceConnectorGroup))]
internal sealed partial class ResourceJsonContext : JsonSerializerContext;
