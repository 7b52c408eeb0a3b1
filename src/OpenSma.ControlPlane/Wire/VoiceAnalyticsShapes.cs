namespace OpenSma.ControlPlane.Wire;

internal sealed record ServerSideEncryptionConfigurationShape(string KmsKeyArn);

internal sealed record VoiceProfileDomainShape(
    string VoiceProfileDomainId,
    string VoiceProfileDomainArn,
    string Name,
    string? Description,
    ServerSideEncryptionConfigurationShape ServerSideEncryptionConfiguration,
    string CreatedTimestamp,
    string UpdatedTimestamp);

internal sealed record VoiceProfileDomainSummaryShape(
    string VoiceProfileDomainId,
    string VoiceProfileDomainArn,
    string Name,
    string? Description,
    string CreatedTimestamp,
    string UpdatedTimestamp);

internal sealed record VoiceProfileDomainResponse(VoiceProfileDomainShape VoiceProfileDomain);

internal sealed record VoiceProfileDomainListResponse(IReadOnlyList<VoiceProfileDomainSummaryShape> VoiceProfileDomains, string? NextToken);

/// <summary>ListVoiceProfiles always answers with an empty list here: profiles come only from speaker search.</summary>
internal sealed record VoiceProfileListResponse(IReadOnlyList<VoiceProfileDomainSummaryShape> VoiceProfiles, string? NextToken);
