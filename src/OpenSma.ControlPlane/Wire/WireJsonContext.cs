using System.Text.Json.Serialization;

namespace OpenSma.ControlPlane.Wire;

/// <summary>Response serialization: member names exactly as declared (PascalCase, as the model
/// spells them) and unset members left out, never sent as null.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SipMediaApplicationResponse))]
[JsonSerializable(typeof(SipMediaApplicationListResponse))]
[JsonSerializable(typeof(LoggingConfigurationResponse))]
[JsonSerializable(typeof(AlexaSkillConfigurationResponse))]
[JsonSerializable(typeof(SipMediaApplicationCallResponse))]
[JsonSerializable(typeof(SipRuleResponse))]
[JsonSerializable(typeof(SipRuleListResponse))]
[JsonSerializable(typeof(PhoneNumberResponse))]
[JsonSerializable(typeof(PhoneNumberListResponse))]
[JsonSerializable(typeof(PhoneNumberOrderResponse))]
[JsonSerializable(typeof(PhoneNumberOrderListResponse))]
[JsonSerializable(typeof(SearchAvailablePhoneNumbersResponse))]
[JsonSerializable(typeof(PhoneNumberErrorsResponse))]
[JsonSerializable(typeof(PhoneNumberSettingsResponse))]
[JsonSerializable(typeof(PhoneNumberCountriesResponse))]
[JsonSerializable(typeof(TagListResponse))]
[JsonSerializable(typeof(VoiceConnectorResponse))]
[JsonSerializable(typeof(VoiceConnectorListResponse))]
[JsonSerializable(typeof(TerminationResponse))]
[JsonSerializable(typeof(TerminationHealthResponse))]
[JsonSerializable(typeof(UsernamesResponse))]
[JsonSerializable(typeof(OriginationResponse))]
[JsonSerializable(typeof(VoiceConnectorLoggingResponse))]
[JsonSerializable(typeof(StreamingConfigurationResponse))]
[JsonSerializable(typeof(EmergencyCallingConfigurationResponse))]
[JsonSerializable(typeof(ExternalSystemsConfigurationResponse))]
[JsonSerializable(typeof(VoiceConnectorGroupResponse))]
[JsonSerializable(typeof(VoiceConnectorGroupListResponse))]
[JsonSerializable(typeof(GlobalSettingsResponse))]
[JsonSerializable(typeof(VoiceConnectorRegionsResponse))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
