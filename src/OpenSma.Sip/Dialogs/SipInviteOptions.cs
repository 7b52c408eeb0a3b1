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
    /// Called under the stack's gate when the callee makes a new offer in the early dialog, once the
    /// first offer/answer exchange there has completed: a reliable provisional response (a 1xx
    /// with <c>Require: 100rel</c>) whose session description has another version (o= line) than
    /// the callee's last one (RFC 3262 §5, RFC 6337 §3.1.1), or an UPDATE with a body (RFC 3311).
    /// The message is that response or that request. Returns our answer, which the PRACK or the
    /// 200 to the UPDATE carries; it should have a new o= version when it changes our session.
    /// A PRACK cannot refuse an offer: when this is unset or returns null, the PRACK goes without
    /// a body; an UPDATE gets 488. Either way the session stays as it was.
    /// </summary>
    public Func<SipMessage, SipBody?>? AnswerEarlyOffer { get; init; }

    /// <summary>Receives provisional responses (180, 183 with early media), under the stack's gate: keep it short.</summary>
    public Action<SipResponse>? OnProvisional { get; init; }
}
