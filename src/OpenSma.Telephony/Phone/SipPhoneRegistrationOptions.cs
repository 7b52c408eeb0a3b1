using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;

namespace OpenSma.Telephony.Phone;

/// <summary>What a <see cref="SipPhone"/> registers: an address of record at a registrar, with optional digest credentials.</summary>
public sealed record SipPhoneRegistrationOptions
{
    /// <summary>The registrar, e.g. <c>sip:127.0.0.1:5060</c> (an IP address; the REGISTER is sent there).</summary>
    public required SipUri Registrar { get; init; }

    /// <summary>The user part of the address of record: a number (<c>+15550001111</c>) or a name.</summary>
    public required string User { get; init; }

    /// <summary>The host of the address of record; null takes the registrar's host.</summary>
    public string? Domain { get; init; }

    /// <summary>Answer the registrar's 401/407 with these.</summary>
    public SipCredentials? Credentials { get; init; }

    /// <summary>The binding lifetime asked for; the registrar may grant less (or more, after 423).</summary>
    public TimeSpan Expires { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long before a failed refresh is tried again (while the binding may still be live).</summary>
    public TimeSpan RetryAfterFailure { get; init; } = TimeSpan.FromSeconds(30);
}
