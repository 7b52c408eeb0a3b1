using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Dialogs;

/// <summary>What an outgoing call needs: where to, who from, the offer, and optional trunk credentials.</summary>
public sealed record SipInviteOptions
{
    public required SipUri Target { get; init; }

    /// <summary>From (without tag); defaults to <c>sip:opensma@our-host</c>.</summary>
    public SipNameAddress? From { get; init; }

    /// <summary>To; defaults to the target.</summary>
    public SipNameAddress? To { get; init; }

    /// <summary>Send via this proxy or trunk instead of the target's address.</summary>
    public SipUri? OutboundProxy { get; init; }

    public ReadOnlyMemory<byte> Body { get; init; }

    public string? ContentType { get; init; }

    public IReadOnlyList<SipHeader> Headers { get; init; } = [];

    /// <summary>Used to answer one 401/407 challenge.</summary>
    public SipCredentials? Credentials { get; init; }

    /// <summary>
    /// For an INVITE sent without an offer (empty <see cref="Body"/>): called under the stack's gate
    /// with the response that carries the callee's offer, and returns our answer. That response is
    /// the first reliable provisional with a body, whose PRACK then carries the answer (RFC 3262
    /// §5), or else the 2xx, whose ACK carries it (RFC 3261 §13.2.1). Without it, or when it returns
    /// null, no answer is sent and the call has no agreed session, so the application should hang up.
    /// </summary>
    public Func<SipResponse, SipBody?>? AnswerOffer { get; init; }

    /// <summary>
    /// Called under the stack's gate when a reliable provisional response brings a new offer: once
    /// the first offer/answer exchange has completed, a 1xx with <c>Require: 100rel</c> whose
    /// session description has another version (o= line) than the callee's last one (RFC 3262 §5,
    /// RFC 6337 §3.1.1). Returns our answer, which the PRACK carries. A PRACK cannot refuse an
    /// offer: when this is unset or returns null, the PRACK goes without a body and the session
    /// stays as it was (the callee can end the call if it insists).
    /// </summary>
    public Func<SipResponse, SipBody?>? AnswerEarlyOffer { get; init; }

    /// <summary>Receives provisional responses (180, 183 with early media), under the stack's gate: keep it short.</summary>
    public Action<SipResponse>? OnProvisional { get; init; }
}
