namespace OpenSma.ControlPlane.Wire;

internal sealed record SipMediaApplicationShape(
    string SipMediaApplicationId,
    string AwsRegion,
    string Name,
    IReadOnlyList<SipMediaApplicationEndpointShape> Endpoints,
    string CreatedTimestamp,
    string UpdatedTimestamp,
    string SipMediaApplicationArn);

internal sealed record SipMediaApplicationEndpointShape(string LambdaArn);

internal sealed record SipMediaApplicationResponse(SipMediaApplicationShape SipMediaApplication);

internal sealed record SipMediaApplicationListResponse(IReadOnlyList<SipMediaApplicationShape> SipMediaApplications, string? NextToken);

internal sealed record LoggingConfigurationShape(bool? EnableSipMediaApplicationMessageLogs);

internal sealed record LoggingConfigurationResponse(LoggingConfigurationShape SipMediaApplicationLoggingConfiguration);

internal sealed record AlexaSkillConfigurationShape(string AlexaSkillStatus, IReadOnlyList<string> AlexaSkillIds);

internal sealed record AlexaSkillConfigurationResponse(AlexaSkillConfigurationShape? SipMediaApplicationAlexaSkillConfiguration);

internal sealed record SipMediaApplicationCallShape(string TransactionId);

internal sealed record SipMediaApplicationCallResponse(SipMediaApplicationCallShape SipMediaApplicationCall);
