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

    /// <summary>Receives provisional responses (180, 183 with early media), under the stack's gate: keep it short.</summary>
    public Action<SipResponse>? OnProvisional { get; init; }
}
