using System.Text.Json.Serialization.Metadata;

namespace OpenSma.Storage.Resources;

/// <summary>Routes inbound calls whose trigger matches to the target SMAs (lowest priority number first).</summary>
/// <param name="TriggerType"><c>ToPhoneNumber</c> or <c>RequestUriHostname</c>.</param>
public sealed record SipRule(
    string Id,
    string Name,
    bool Disabled,
    string TriggerType,
    string TriggerValue,
    IReadOnlyList<SipRuleTarget> TargetApplications,
    DateTimeOffset CreatedTimestamp,
    DateTimeOffset UpdatedTimestamp) : IResourceDocument<SipRule>
{
    public static string Kind => "sip-rule";

    public static JsonTypeInfo<SipRule> JsonTypeInfo => ResourceJsonContext.Default.SipRule;

    /// <summary>One rule per trigger: the engine finds the rule for a call with this key.</summary>
    public string? UniqueKey => TriggerKey(TriggerType, TriggerValue);

    public static string TriggerKey(string triggerType, string triggerValue) =>
        string.Concat(triggerType, ":", triggerValue.ToUpperInvariant());
}

public sealed record SipRuleTarget(string SipMediaApplicationId, int Priority, string AwsRegion);
