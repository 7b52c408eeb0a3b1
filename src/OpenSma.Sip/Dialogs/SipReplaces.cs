using System.Text;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Dialogs;

/// <summary>
/// The Replaces header of RFC 3891: which dialog a new INVITE takes the place of (attended
/// transfer). The tags are seen from the recipient: <see cref="ToTag"/> is its local tag and
/// <see cref="FromTag"/> its remote tag.
/// </summary>
public sealed record SipReplaces(string CallId, string ToTag, string FromTag, bool EarlyOnly = false)
{
    public static bool TryParse(string? value, out SipReplaces replaces)
    {
        replaces = null!;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var semi = value.IndexOf(';', StringComparison.Ordinal);
        var callId = (semi < 0 ? value : value[..semi]).Trim();
        if (callId.Length == 0 || semi < 0)
        {
            return false;
        }

        var parameters = new SipParameters();
        var pos = semi;
        if (!SipParameters.TryParseHeaderParameters(value, ref pos, parameters)
            || parameters.Get("to-tag") is not { Length: > 0 } toTag
            || parameters.Get("from-tag") is not { Length: > 0 } fromTag)
        {
            return false;
        }

        replaces = new SipReplaces(callId, toTag, fromTag, parameters.Contains("early-only"));
        return true;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(CallId).Append(";to-tag=").Append(ToTag).Append(";from-tag=").Append(FromTag);
        return (EarlyOnly ? sb.Append(";early-only") : sb).ToString();
    }
}
