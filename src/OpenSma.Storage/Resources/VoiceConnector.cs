using System.Text.Json.Serialization.Metadata;

namespace OpenSma.Storage.Resources;

/// <summary>A SIP trunk to a carrier or PBX, with its termination and origination settings.</summary>
public sealed record VoiceConnector(
    string Id,
    string AwsAccountId,
    string AwsRegion,
    string Name,
    string OutboundHostName,
    bool RequireEncryption,
    string? IntegrationType,
    string? NetworkType,
    DateTimeOffset CreatedTimestamp,
    DateTimeOffset UpdatedTimestamp,
    VoiceConnectorTermination? Termination = null,
    VoiceConnectorOrigination? Origination = null,
    IReadOnlyList<TerminationCredential>? Credentials = null,
    VoiceConnectorLogging? Logging = null,
    VoiceConnectorStreaming? Streaming = null,
    string? EmergencyCallingJson = null,
    VoiceConnectorExternalSystems? ExternalSystems = null) : IResourceDocument<VoiceConnector>
{
    public static string Kind => "voice-connector";

    public static JsonTypeInfo<VoiceConnector> JsonTypeInfo => ResourceJsonContext.Default.VoiceConnector;

    /// <summary>Inbound SIP for the trunk is routed by this host name.</summary>
    public string? UniqueKey => OutboundHostName;
}

public sealed record VoiceConnectorTermination(
    int? CpsLimit,
    string? DefaultPhoneNumber,
    IReadOnlyList<string> CallingRegions,
    IReadOnlyList<string> CidrAllowedList,
    bool Disabled);

public sealed record VoiceConnectorOrigination(IReadOnlyList<OriginationRoute> Routes, bool Disabled);

public sealed record OriginationRoute(string Host, int Port, string Protocol, int Priority, int Weight);

/// <summary>A SIP digest credential. The password is kept because the trunk must verify digests with it.</summary>
public sealed record TerminationCredential(string Username, string Password);

public sealed record VoiceConnectorLogging(bool EnableSipLogs, bool EnableMediaMetricLogs);

public sealed record VoiceConnectorStreaming(
    int DataRetentionInHours,
    bool Disabled,
    IReadOnlyList<string> NotificationTargets,
    bool? MediaInsightsDisabled,
    string? MediaInsightsConfigurationArn);

public sealed record VoiceConnectorExternalSystems(
    IReadOnlyList<string> SessionBorderControllerTypes,
    IReadOnlyList<string> ContactCenterSystemTypes);
