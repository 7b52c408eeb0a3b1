using System.Text.Json.Serialization.Metadata;

namespace OpenSma.Storage.Resources;

/// <summary>A SIP media application: a name, a region and the one handler endpoint the engine invokes.</summary>
/// <param name="Endpoint">The <c>Endpoints[0].LambdaArn</c>: a Lambda ARN or an http(s) URL.</param>
public sealed record SipMediaApplication(
    string Id,
    string AwsAccountId,
    string AwsRegion,
    string Name,
    string Endpoint,
    DateTimeOffset CreatedTimestamp,
    DateTimeOffset UpdatedTimestamp,
    bool? EnableMessageLogs = null,
    AlexaSkillConfiguration? AlexaSkill = null) : IResourceDocument<SipMediaApplication>
{
    public static string Kind => "sma";

    public static JsonTypeInfo<SipMediaApplication> JsonTypeInfo => ResourceJsonContext.Default.SipMediaApplication;

    /// <summary>Names are unique per account, as in AWS (a second create answers Conflict).</summary>
    public string? UniqueKey => Name;
}

public sealed record AlexaSkillConfiguration(string AlexaSkillStatus, IReadOnlyList<string> AlexaSkillIds);
