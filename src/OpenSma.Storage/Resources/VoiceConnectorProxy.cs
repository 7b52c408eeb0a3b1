using System.Text.Json.Serialization.Metadata;

namespace OpenSma.Storage.Resources;

/// <summary>The proxy (programmable numbers) settings of one voice connector; the id is the connector's id.</summary>
public sealed record VoiceConnectorProxy(
    string Id,
    int DefaultSessionExpiryMinutes,
    IReadOnlyList<string> PhoneNumberCountries,
    string? FallBackPhoneNumber,
    bool Disabled,
    DateTimeOffset UpdatedTimestamp) : IResourceDocument<VoiceConnectorProxy>
{
    public static string Kind => "voice-connector-proxy";

    public static JsonTypeInfo<VoiceConnectorProxy> JsonTypeInfo => VoiceResourceJsonContext.Default.VoiceConnectorProxy;

    public string? UniqueKey => null;
}
