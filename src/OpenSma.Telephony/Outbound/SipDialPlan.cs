using OpenSma.Engine.Legs;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;

namespace OpenSma.Telephony.Outbound;

/// <summary>One place to send an outgoing INVITE: the target, the parties, and how to get there.</summary>
/// <param name="Route">What kind of route this is (for traces and tests): own-number, softphone, trunk or sip-uri.</param>
public sealed record SipDialTarget(
    SipUri Target,
    SipNameAddress From,
    SipNameAddress To,
    string Route,
    SipUri? OutboundProxy = null,
    SipCredentials? Credentials = null);

/// <summary>Where an outbound leg is tried, in order (trunk routes fail over); empty with the SIP code to end with when nothing routes.</summary>
/// <param name="VoiceConnectorId">The voice connector whose origination routes the attempts use, when they do (its call quotas apply).</param>
public sealed record SipDialPlan(IReadOnlyList<SipDialTarget> Attempts, int FailureCode = 404, string? Reason = null, string? VoiceConnectorId = null)
{
    public static SipDialPlan Fail(int code, string reason) => new([], code, reason);
}

/// <summary>Decides where an outbound leg goes.</summary>
public interface ISipDialRouter
{
    ValueTask<SipDialPlan> PlanAsync(OutboundLegRequest request, CancellationToken cancellationToken);
}
