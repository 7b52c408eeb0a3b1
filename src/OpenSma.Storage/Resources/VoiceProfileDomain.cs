using System.Text.Json.Serialization.Metadata;

namespace OpenSma.Storage.Resources;

/// <summary>A voice profile domain: the container voice profiles of speaker search would live in.</summary>
/// <param name="ClientRequestToken">Makes creation idempotent: a retry with the same token gets the same domain.</param>
public sealed record VoiceProfileDomain(
    string Id,
    string AwsAccountId,
    string AwsRegion,
    string Name,
    string? Description,
    string KmsKeyArn,
    string? ClientRequestToken,
    DateTimeOffset CreatedTimestamp,
    DateTimeOffset UpdatedTimestamp) : IResourceDocument<VoiceProfileDomain>
{
    public static string Kind => "voice-profile-domain";

    public static JsonTypeInfo<VoiceProfileDomain> JsonTypeInfo => VoiceResourceJsonContext.Default.VoiceProfileDomain;

    public string? UniqueKey => ClientRequestToken is null ? null : "token:" + ClientRequestToken;
}
