using System.Net;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Registrar;
using OpenSma.Storage.Resources;

namespace OpenSma.Telephony.Inbound;

/// <summary>
/// Who may place calls into OpenSMA. An INVITE addressed to a voice connector's host name must come
/// from that connector's allowed networks (Termination.CidrAllowedList) or answer a digest challenge
/// with one of its <c>Credentials</c>, when it has either. With
/// <see cref="TelephonyOptions.RequireTrunkAuthorization"/> every caller must be an allowed trunk host,
/// a registered softphone, or authenticate with some voice connector's credentials. Otherwise
/// (zero-config) anyone may call.
/// </summary>
internal sealed class TrunkAdmission(IResourceStore store, SipRegistrar? registrar, TelephonyOptions options, SipDigestVerifier verifier)
{
    /// <summary>Where voice connectors are read (the router's route cache when it has one).</summary>
    public IResourceStore Store { get; set; } = store;

    /// <summary>Digest realm for callers that address no particular voice connector.</summary>
    public const string DefaultRealm = "opensma";

    /// <summary>Issues and checks the nonces; replaced only while setting up (older nonces are then refused).</summary>
    public SipDigestVerifier Verifier { get; set; } = verifier;

    public async ValueTask<Admission> CheckAsync(InviteFacts facts, SipRequest invite, CancellationToken cancellationToken)
    {
        var connector = await Store.FindByKeyAsync<VoiceConnector>(facts.RequestHost, cancellationToken).ConfigureAwait(false)
            ?? await Store.FindByKeyAsync<VoiceConnector>(facts.RequestHost.ToLowerInvariant(), cancellationToken).ConfigureAwait(false);
        if (connector?.Value is { } addressed)
        {
            if (addressed.Termination is { Disabled: true })
            {
                return Admission.Refuse($"voice connector {addressed.Id} does not accept calls (termination disabled)");
            }

            var cidrs = addressed.Termination?.CidrAllowedList ?? [];
            var credentials = addressed.Credentials ?? [];
            if (cidrs.Count == 0 && credentials.Count == 0 && !options.RequireTrunkAuthorization)
            {
                return Admission.Admit("voice connector without an allow list or credentials", addressed.Id);
            }

            if (InAny(cidrs, facts.Source))
            {
                return Admission.Admit("allowed by the voice connector's CIDR list", addressed.Id);
            }

            return credentials.Count > 0
                ? Digest(invite, addressed.OutboundHostName, [addressed])
                : Admission.Refuse($"{facts.Source} is not in voice connector {addressed.Id}'s allowed networks");
        }

        if (!options.RequireTrunkAuthorization)
        {
            // Anyone may call, but a call from a connector's allowed network is still that
            // connector's call under the voice-connector quotas (looked up only when they are on).
            return options.VoiceConnectorCallsPerSecond is null && options.MaxVoiceConnectorConcurrentCalls is null
                ? Admission.Admit("trunk checks are off")
                : Admission.Admit("trunk checks are off", await AllowingConnectorAsync(facts, cancellationToken).ConfigureAwait(false));
        }

        if (facts.Source is { } source && registrar is not null
            && registrar.Users().Any(u => registrar.Lookup(u).Any(b => Same(b.Source.Address, source))))
        {
            return Admission.Admit("registered softphone");
        }

        var withCredentials = new List<VoiceConnector>();
        foreach (var stored in await Store.ListAllAsync<VoiceConnector>(cancellationToken).ConfigureAwait(false))
        {
            if (stored.Value.Termination is { Disabled: true })
            {
                continue;
            }

            if (stored.Value.Termination is { CidrAllowedList: { Count: > 0 } list } && InAny(list, facts.Source))
            {
                return Admission.Admit($"allowed by voice connector {stored.Value.Id}", stored.Value.Id);
            }

            if (stored.Value.Credentials is { Count: > 0 })
            {
                withCredentials.Add(stored.Value);
            }
        }

        return withCredentials.Count > 0
            ? Digest(invite, DefaultRealm, withCredentials)
            : Admission.Refuse($"{facts.Source} is neither an allowed trunk host nor a registered softphone");
    }

    /// <summary>The first enabled voice connector whose CIDR list holds the INVITE's source, if any.</summary>
    private async ValueTask<string?> AllowingConnectorAsync(InviteFacts facts, CancellationToken cancellationToken)
    {
        if (facts.Source is null)
        {
            return null;
        }

        foreach (var stored in await Store.ListAllAsync<VoiceConnector>(cancellationToken).ConfigureAwait(false))
        {
            if (stored.Value.Termination is { Disabled: false, CidrAllowedList: { Count: > 0 } list } && InAny(list, facts.Source))
            {
                return stored.Value.Id;
            }
        }

        return null;
    }

    /// <summary>
    /// Checks the INVITE's digest answer against each connector's credentials: one match admits; an
    /// answer that matches none is refused (403); no answer, or a stale or replayed one, is challenged.
    /// </summary>
    private Admission Digest(SipRequest invite, string realm, IReadOnlyList<VoiceConnector> connectors)
    {
        var outcome = SipAuthResult.Missing;
        foreach (var connector in connectors)
        {
            var credentials = connector.Credentials!;
            var result = Verifier.Verify(invite, realm, user => credentials.FirstOrDefault(c => c.Username == user)?.Password);
            if (result.IsAuthenticated)
            {
                return Admission.Admit($"digest user {result.Username} of voice connector {connector.Id}", connector.Id);
            }

            if (result.IsBadRequest)
            {
                // RFC 3261 §22.4, RFC 7616 §3.4.6: an answer computed for another URI is a bad request, not a reason to challenge again.
                return Admission.BadRequest("the digest answer's uri does not name the Request-URI");
            }

            // A stale or replayed answer had the right password: challenge again rather than refuse.
            if (result.NeedsStaleChallenge || (result.Status == SipAuthStatus.Failed && outcome.Status == SipAuthStatus.Missing))
            {
                outcome = result;
            }
        }

        return outcome.Status == SipAuthStatus.Failed
            ? Admission.Refuse($"digest credentials for realm {realm} do not match any voice connector's")
            : Admission.Challenge(realm, outcome);
    }

    internal static bool InAny(IReadOnlyList<string> cidrs, IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var text in cidrs)
        {
            if (IPNetwork.TryParse(text, out var network) ? network.Contains(normalized)
                : IPAddress.TryParse(text, out var single) && single.Equals(normalized))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Same(IPAddress a, IPAddress b) =>
        (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);
}

internal enum AdmissionVerdict
{
    Admit,
    Refuse,
    Challenge,
    BadRequest,
}

/// <summary>
/// What admission decided: admit, refuse (403), or challenge for digest credentials of <see cref="Realm"/> (401).
/// An admitted call that came through a voice connector names it (<see cref="VoiceConnectorId"/>): the
/// voice-connector call quotas apply to it.
/// </summary>
internal readonly record struct Admission(AdmissionVerdict Verdict, string Reason, string? Realm = null, SipAuthResult Auth = default, string? VoiceConnectorId = null)
{
    public static Admission Admit(string reason, string? voiceConnectorId = null) => new(AdmissionVerdict.Admit, reason, VoiceConnectorId: voiceConnectorId);

    public static Admission Refuse(string reason) => new(AdmissionVerdict.Refuse, reason);

    /// <summary>Malformed credentials (their uri is not the Request-URI): 400.</summary>
    public static Admission BadRequest(string reason) => new(AdmissionVerdict.BadRequest, reason);

    public static Admission Challenge(string realm, SipAuthResult auth) =>
        new(AdmissionVerdict.Challenge, auth.NeedsStaleChallenge ? "stale digest answer" : "no digest answer", realm, auth);
}
