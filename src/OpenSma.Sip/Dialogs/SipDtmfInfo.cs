using System.Globalization;
using System.Text;

namespace OpenSma.Sip.Dialogs;

/// <summary>
/// Reads DTMF from INFO bodies: <c>application/dtmf-relay</c> (<c>Signal=5</c>, <c>Duration=160</c>)
/// and <c>application/dtmf</c> (the bare digit).
/// </summary>
internal static class SipDtmfInfo
{
    public const int DefaultDurationMs = 250;

    /// <summary>The INFO bodies read here, for an Accept header.</summary>
    public const string AcceptedTypes = "application/dtmf-relay, application/dtmf";

    public static bool IsDtmf(string? contentType) =>
        contentType is not null && (MediaType(contentType) is "application/dtmf-relay" or "application/dtmf");

    public static bool TryParse(string? contentType, ReadOnlySpan<byte> body, out char digit, out int durationMs)
    {
        digit = default;
        durationMs = DefaultDurationMs;
        if (contentType is null)
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(body).Trim();
        if (MediaType(contentType) == "application/dtmf")
        {
            return TryDigit(text, out digit);
        }

        var found = false;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var name = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (name.Equals("Signal", StringComparison.OrdinalIgnoreCase))
            {
                found = TryDigit(value, out digit);
            }
            else if (name.Equals("Duration", StringComparison.OrdinalIgnoreCase)
                     && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var d))
            {
                durationMs = d;
            }
        }

        return found;
    }

    private static string MediaType(string contentType)
    {
        var semi = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semi < 0 ? contentType : contentType[..semi]).Trim().ToLowerInvariant();
    }

    private static bool TryDigit(string value, out char digit)
    {
        digit = default;
        if (value.Length == 1 && "0123456789*#ABCDabcd".Contains(value[0], StringComparison.Ordinal))
        {
            digit = char.ToUpperInvariant(value[0]);
            return true;
        }

        // RFC 4733 event codes 10 and 11 are sometimes sent as numbers.
        if (value == "10")
        {
            digit = '*';
            return true;
        }

        if (value == "11")
        {
            digit = '#';
            return true;
        }

        return false;
    }
}
