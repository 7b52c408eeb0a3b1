using System.Text.Json.Serialization.Metadata;

namespace OpenSma.Storage.Resources;

/// <summary>Voice connectors tried in priority order for fail-over.</summary>
public sealed record VoiceConnectorGroup(
    string Id,
    string AwsAccountId,
    string AwsRegion,
    string Name,
    IReadOnlyList<VoiceConnectorItem> VoiceConnectorItems,
    string? CallDistributionType,
    DateTimeOffset CreatedTimestamp,
    DateTimeOffset UpdatedTimestamp) : IResourceDocument<VoiceConnectorGroup>
{
    public static string Kind => "voice-connector-group";

    public static JsonTypeInfo<VoiceConnectorGroup> JsonTypeInfo => ResourceJsonContext.Default.VoiceConnectorGroup;

    public string? UniqueKey => null;
}

public sealed record VoiceConnectorItem(string VoiceConnectorId, int Priority);
