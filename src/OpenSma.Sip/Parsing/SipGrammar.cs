using System.Text;

namespace OpenSma.Sip.Parsing;

/// <summary>Lexical rules of RFC 3261 §25 shared by the header and URI parsers.</summary>
internal static class SipGrammar
{
    public static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~';

    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    public static ReadOnlySpan<char> Trim(ReadOnlySpan<char> s)
    {
        var start = 0;
        var end = s.Length;
        while (start < end && IsWhitespace(s[start]))
        {
            start++;
        }

        while (end > start && IsWhitespace(s[end - 1]))
        {
            end--;
        }

        return s[start..end];
    }

    /// <summary>
    /// Splits a comma-separated header value, ignoring commas inside quotes and angle brackets.
    /// Returns false for an unbalanced quote or bracket, or (when <paramref name="allowEmpty"/> is
    /// false) for an empty element.
    /// </summary>
    public static bool TrySplitList(string value, List<string> into, bool allowEmpty = false)
    {
        var inQuote = false;
        var inAngle = false;
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (inQuote)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuote = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inQuote = true;
                    break;
                case '<':
                    inAngle = true;
                    break;
                case '>':
                    inAngle = false;
                    break;
                case ',' when !inAngle:
                    if (!AddElement(value.AsSpan(start, i - start), into, allowEmpty))
                    {
                        return false;
                    }

                    start = i + 1;
                    break;
            }
        }

        if (inQuote || inAngle)
        {
            return false;
        }

        return AddElement(value.AsSpan(start), into, allowEmpty);
    }

    private static bool AddElement(ReadOnlySpan<char> element, List<string> into, bool allowEmpty)
    {
        var trimmed = Trim(element);
        if (trimmed.IsEmpty)
        {
            return allowEmpty;
        }

        into.Add(trimmed.ToString());
        return true;
    }

    /// <summary>Reads a quoted-string starting at <paramref name="pos"/> (which must be a quote) and unescapes it.</summary>
    public static bool TryReadQuoted(ReadOnlySpan<char> s, ref int pos, out string value)
    {
        value = string.Empty;
        if (pos >= s.Length || s[pos] != '"')
        {
            return false;
        }

        var sb = new StringBuilder();
        for (var i = pos + 1; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\')
            {
                if (i + 1 >= s.Length)
                {
                    return false;
                }

                sb.Append(s[++i]);
            }
            else if (c == '"')
            {
                pos = i + 1;
                value = sb.ToString();
                return true;
            }
            else
            {
                sb.Append(c);
            }
        }

        return false;
    }

    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.Append('"').ToString();
    }

    public static void SkipWhitespace(ReadOnlySpan<char> s, ref int pos)
    {
        while (pos < s.Length && IsWhitespace(s[pos]))
        {
            pos++;
        }
    }

    /// <summary>Decodes %HH escapes exactly once; a '%' not followed by two hex digits stays literal.</summary>
    public static string Unescape(ReadOnlySpan<char> s)
    {
        if (s.IndexOf('%') < 0)
        {
            return s.ToString();
        }

        var bytes = new List<byte>(s.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '%' && i + 2 < s.Length && IsHex(s[i + 1]) && IsHex(s[i + 2]))
            {
                bytes.Add((byte)((HexValue(s[i + 1]) << 4) | HexValue(s[i + 2])));
                i += 2;
                continue;
            }

            var n = Encoding.UTF8.GetBytes([c], utf8);
            for (var k = 0; k < n; k++)
            {
                bytes.Add(utf8[k]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Percent-encodes every character outside <paramref name="allowed"/> (and unreserved).</summary>
    public static string Escape(string s, string allowed)
    {
        var needs = false;
        foreach (var c in s)
        {
            if (!IsUnreserved(c) && !allowed.Contains(c, StringComparison.Ordinal))
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return s;
        }

        var sb = new StringBuilder(s.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in s.EnumerateRunes())
        {
            if (rune.IsAscii && (IsUnreserved((char)rune.Value) || allowed.Contains((char)rune.Value, StringComparison.Ordinal)))
            {
                sb.Append((char)rune.Value);
                continue;
            }

            var n = rune.EncodeToUtf8(utf8);
            for (var k = 0; k < n; k++)
            {
                sb.Append('%').Append(utf8[k].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    public static bool IsUnreserved(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '-' or '_' or '.' or '!' or '~' or '*' or '\'' or '(' or ')';

    private static bool IsHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Parses a non-negative decimal integer with leading zeros allowed, refusing overflow past <paramref name="max"/>.</summary>
    public static bool TryParseBoundedInt(ReadOnlySpan<char> s, long max, out long value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
            if (value > max)
            {
                return false;
            }
        }

        return true;
    }
}
