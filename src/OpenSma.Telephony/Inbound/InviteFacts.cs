using System.Net;
using OpenSma.Sip.Messages;

namespace OpenSma.Telephony.Inbound;

/// <summary>What routing reads from an incoming INVITE: the dialed number and host, the caller, the source address and the SipHeaders of spec §12.</summary>
internal sealed record InviteFacts(
    string? DialedNumber,
    string? ToNumber,
    string RequestHost,
    string Caller,
    IPAddress? Source,
    IReadOnlyDictionary<string, string>? SipHeaders)
{
    public static InviteFacts From(SipRequest invite)
    {
        ArgumentNullException.ThrowIfNull(invite);
        var via = invite.TopVia;
        IPAddress? source = null;
        if ((via?.Received ?? via?.Host) is { } host && IPAddress.TryParse(host.Trim('[', ']'), out var parsed))
        {
            source = parsed;
        }

        var to = invite.To?.Uri.User is { } toUser ? PhoneNumberText.FromUser(toUser) : null;
        return new InviteFacts(
            PhoneNumberText.FromUser(invite.RequestUri.User),
            to,
            invite.RequestUri.Host,
            invite.From?.Uri.User is { Length: > 0 } user ? PhoneNumberText.FromUser(user) ?? user : "anonymous",
            source,
            CustomHeaders(invite.Headers));
    }

    /// <summary>X- headers, User-to-User and Diversion, with the spelling they arrived with (spec §12).</summary>
    public static IReadOnlyDictionary<string, string>? CustomHeaders(SipHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        Dictionary<string, string>? found = null;
        foreach (var header in headers)
        {
            if (!IsCustom(header.Name))
            {
                continue;
            }

            found ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            // Several fields of one name (two Diversion hops) are kept as one comma-separated value.
            found[header.Name] = found.TryGetValue(header.Name, out var earlier) ? earlier + ", " + header.Value : header.Value;
        }

        return found;
    }

    private static bool IsCustom(string name) =>
        name.StartsWith("X-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("User-to-User", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Diversion", StringComparison.OrdinalIgnoreCase);
}
