namespace OpenSma.Telephony;

/// <summary>
/// How number routing reads a number, in one place: the inbound router (Request-URI and To users),
/// the dial router, and serve's <c>VirtualPhones</c> keys and dialled targets all agree on it.
/// <list type="bullet">
/// <item>E.164 with or without <c>+</c>: <c>+15551230000</c>, <c>15551230000</c>;</item>
/// <item>visual separators <c>-</c> <c>.</c> <c>(</c> <c>)</c> (RFC 3966) and spaces: <c>+1 (555) 123-0000</c>;</item>
/// <item>a <c>tel:</c> URI, its parameters dropped: <c>tel:+1-555-123-0000;phone-context=example.com</c>;</item>
/// <item>the user part of a <c>sip:</c>/<c>sips:</c> URI, its user parameters dropped: <c>sip:+15551230000;user=phone@host:5060</c>,
/// <c>&lt;sip:15551230000@host&gt;</c>; <c>%2B</c> reads as <c>+</c>.</item>
/// </list>
/// The result is <c>+</c> and 2 to 15 digits, not starting with 0; anything else is not a number.
/// </summary>
public static class PhoneNumberText
{
    /// <summary>The E.164 form of a number, a <c>tel:</c> URI or a SIP URI's user part; null when it is not a number.</summary>
    public static string? ToE164(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var s = text.Trim();
        if (s.Length > 1 && s[0] == '<' && s[^1] == '>')
        {
            s = s[1..^1].Trim();
        }

        if (s.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            return FromUser(s[4..]);
        }

        var scheme = s.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) ? 4 : s.StartsWith("sips:", StringComparison.OrdinalIgnoreCase) ? 5 : 0;
        if (scheme > 0)
        {
            var rest = s[scheme..];
            var at = rest.IndexOf('@', StringComparison.Ordinal);
            return at > 0 ? FromUser(rest[..at]) : null;
        }

        return FromUser(s);
    }

    /// <summary>A SIP user part (or a bare number) read as E.164: parameters after <c>;</c> dropped, separators ignored; null when not a number.</summary>
    public static string? FromUser(string? user)
    {
        if (string.IsNullOrEmpty(user))
        {
            return null;
        }

        var semicolon = user.IndexOf(';', StringComparison.Ordinal);
        var text = semicolon >= 0 ? user[..semicolon] : user;
        if (text.Contains('%', StringComparison.Ordinal))
        {
            try
            {
                text = Uri.UnescapeDataString(text);
            }
            catch (UriFormatException)
            {
                return null;
            }
        }

        text = text.Trim();
        var digits = new System.Text.StringBuilder("+");
        for (var i = text.StartsWith('+') ? 1 : 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c is not ('-' or '.' or ' ' or '(' or ')'))
            {
                return null;
            }
        }

        return digits.Length is >= 3 and <= 16 && digits[1] != '0' ? digits.ToString() : null;
    }
}
