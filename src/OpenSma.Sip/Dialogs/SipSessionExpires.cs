using System.Globalization;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Dialogs;

/// <summary>The Session-Expires header of RFC 4028: an interval and who refreshes.</summary>
internal readonly record struct SipSessionExpires(int Seconds, string? Refresher)
{
    /// <summary>RFC 4028 §4: no interval below 90 seconds.</summary>
    public const int MinimumSeconds = 90;

    public static SipSessionExpires? From(SipMessage message)
    {
        if (message.Headers.Get(SipHeaderNames.SessionExpires) is not { } value)
        {
            return null;
        }

        var semi = value.IndexOf(';', StringComparison.Ordinal);
        var number = SipGrammar.Trim((semi < 0 ? value : value[..semi]).AsSpan());
        if (!SipGrammar.TryParseBoundedInt(number, int.MaxValue, out var seconds))
        {
            return null;
        }

        string? refresher = null;
        if (semi >= 0)
        {
            var parameters = new SipParameters();
            var pos = semi;
            if (SipParameters.TryParseHeaderParameters(value, ref pos, parameters))
            {
                refresher = parameters.Get("refresher")?.ToLowerInvariant();
            }
        }

        return new SipSessionExpires((int)seconds, refresher);
    }

    public override string ToString() =>
        Seconds.ToString(CultureInfo.InvariantCulture) + (Refresher is null ? string.Empty : ";refresher=" + Refresher);
}
