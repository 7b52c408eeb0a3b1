using System.Text.Json;

namespace OpenSma.ControlPlane.Wire;

internal sealed record VoiceConnectorShape(
    string VoiceConnectorId,
    string AwsRegion,
    string Name,
    string OutboundHostName,
    bool RequireEncryption,
    string CreatedTimestamp,
    string UpdatedTimestamp,
    string VoiceConnectorArn,
    string? IntegrationType,
    string? NetworkType);

internal sealed record VoiceConnectorResponse(VoiceConnectorShape VoiceConnector);

internal sealed record VoiceConnectorListResponse(IReadOnlyList<VoiceConnectorShape> VoiceConnectors, string? NextToken);

internal sealed record TerminationShape(int? CpsLimit, string? DefaultPhoneNumber, IReadOnlyList<string> CallingRegions, IReadOnlyList<string> CidrAllowedList, bool Disabled);

internal sealed record TerminationResponse(TerminationShape Termination);

internal sealed record TerminationHealthShape(string Timestamp, string? Source);

internal sealed record TerminationHealthResponse(TerminationHealthShape TerminationHealth);

internal sealed record UsernamesResponse(IReadOnlyList<string> Usernames);

internal sealed record OriginationRouteShape(string Host, int Port, string Protocol, int Priority, int Weight);

internal sealed record OriginationShape(IReadOnlyList<OriginationRouteShape> Routes, bool Disabled);

internal sealed record OriginationResponse(OriginationShape Origination);

internal sealed record VoiceConnectorLoggingShape(bool EnableSIPLogs, bool EnableMediaMetricLogs);

internal sealed record VoiceConnectorLoggingResponse(VoiceConnectorLoggingShape LoggingConfiguration);

internal sealed record StreamingNotificationTargetShape(string NotificationTarget);

internal sealed record MediaInsightsConfigurationShape(bool? Disabled, string? ConfigurationArn);

internal sealed record StreamingConfigurationShape(
    int DataRetentionInHours,
    bool Disabled,
    IReadOnlyList<StreamingNotificationTargetShape>? StreamingNotificationTargets,
    MediaInsightsConfigurationShape? MediaInsightsConfiguration);

internal sealed record StreamingConfigurationResponse(StreamingConfigurationShape StreamingConfiguration);

internal sealed record EmergencyCallingConfigurationResponse(JsonElement EmergencyCallingConfiguration);

internal sealed record ExternalSystemsConfigurationShape(IReadOnlyList<string> SessionBorderControllerTypes, IReadOnlyList<string> ContactCenterSystemTypes);

internal sealed record ExternalSystemsConfigurationResponse(ExternalSystemsConfigurationShape ExternalSystemsConfiguration);

internal sealed record VoiceConnectorItemShape(string VoiceConnectorId, int Priority);

internal sealed record VoiceConnectorGroupShape(
    string VoiceConnectorGroupId,
    string Name,
    IReadOnlyList<VoiceConnectorItemShape> VoiceConnectorItems,
    string CreatedTimestamp,
    string UpdatedTimestamp,
    string VoiceConnectorGroupArn,
    string? CallDistributionType);

internal sealed record VoiceConnectorGroupResponse(VoiceConnectorGroupShape VoiceConnectorGroup);

internal sealed record VoiceConnectorGroupListResponse(IReadOnlyList<VoiceConnectorGroupShape> VoiceConnectorGroups, string? NextToken);

internal sealed record VoiceConnectorSettingsShape(string? CdrBucket);

internal sealed record GlobalSettingsResponse(VoiceConnectorSettingsShape VoiceConnector);

internal sealed record VoiceConnectorRegionsResponse(IReadOnlyList<string> VoiceConnectorRegions);
