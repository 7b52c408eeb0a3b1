namespace OpenSma.ControlPlane.Wire;

internal sealed record SipRuleShape(
    string SipRuleId,
    string Name,
    bool Disabled,
    string TriggerType,
    string TriggerValue,
    IReadOnlyList<SipRuleTargetApplicationShape> TargetApplications,
    string CreatedTimestamp,
    string UpdatedTimestamp);

internal sealed record SipRuleTargetApplicationShape(string SipMediaApplicationId, int Priority, string AwsRegion);

internal sealed record SipRuleResponse(SipRuleShape SipRule);

internal sealed record SipRuleListResponse(IReadOnlyList<SipRuleShape> SipRules, string? NextToken);
