namespace OpenSma.ControlPlane.Wire;

internal sealed record ProxyShape(int DefaultSessionExpiryMinutes, bool Disabled, string? FallBackPhoneNumber, IReadOnlyList<string> PhoneNumberCountries);

internal sealed record ProxyResponse(ProxyShape Proxy);

internal sealed record ParticipantShape(string PhoneNumber, string ProxyPhoneNumber);

internal sealed record GeoMatchParamsShape(string Country, string AreaCode);

internal sealed record ProxySessionShape(
    string VoiceConnectorId,
    string ProxySessionId,
    string? Name,
    string Status,
    int? ExpiryMinutes,
    IReadOnlyList<string> Capabilities,
    string CreatedTimestamp,
    string UpdatedTimestamp,
    string? EndedTimestamp,
    IReadOnlyList<ParticipantShape> Participants,
    string? NumberSelectionBehavior,
    string? GeoMatchLevel,
    GeoMatchParamsShape? GeoMatchParams);

internal sealed record ProxySessionResponse(ProxySessionShape ProxySession);

internal sealed record ProxySessionListResponse(IReadOnlyList<ProxySessionShape> ProxySessions, string? NextToken);
