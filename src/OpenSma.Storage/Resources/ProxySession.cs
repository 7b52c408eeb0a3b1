using System.Text.Json.Serialization.Metadata;

namespace OpenSma.Storage.Resources;

/// <summary>
/// A proxy (number-masking) session on a voice connector: two participants who reach each other
/// through proxy numbers taken from the numbers associated with the connector. A call from
/// <see cref="ProxyParticipant.PhoneNumber"/> to its <see cref="ProxyParticipant.ProxyPhoneNumber"/>
/// belongs to this session and goes to the other participant.
/// </summary>
/// <param name="Status">An AWS <c>ProxySessionStatus</c>: <c>Open</c>, <c>InProgress</c> or <c>Closed</c>.</param>
/// <param name="ExpiresAt">When the session closes by itself (null: never).</param>
public sealed record ProxySession(
    string Id,
    string VoiceConnectorId,
    string? Name,
    string Status,
    int? ExpiryMinutes,
    IReadOnlyList<string> Capabilities,
    IReadOnlyList<ProxyParticipant> Participants,
    string? NumberSelectionBehavior,
    string? GeoMatchLevel,
    ProxyGeoMatch? GeoMatchParams,
    DateTimeOffset CreatedTimestamp,
    DateTimeOffset UpdatedTimestamp,
    DateTimeOffset? EndedTimestamp,
    DateTimeOffset? ExpiresAt) : IResourceDocument<ProxySession>
{
    public static string Kind => "proxy-session";

    public static JsonTypeInfo<ProxySession> JsonTypeInfo => VoiceResourceJsonContext.Default.ProxySession;

    public string? UniqueKey => null;
}

public sealed record ProxyParticipant(string PhoneNumber, string ProxyPhoneNumber);

public sealed record ProxyGeoMatch(string Country, string AreaCode);
