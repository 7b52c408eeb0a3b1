using System.Text;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Messages;

/// <summary>A name-addr or addr-spec with header parameters: From, To, Contact, Route (RFC 3261 §20.10).</summary>
public sealed class SipNameAddress
{
    public SipNameAddress(SipUri uri, string? displayName = null)
    {
        Uri = uri;
        DisplayName = displayName;
    }

    public string? DisplayName { get; init; }

    public SipUri Uri { get; init; }

    public SipParameters Parameters { get; init; } = new();

    public string? Tag => Parameters.Get("tag");

    public SipNameAddress WithTag(string tag)
    {
        var copy = new SipNameAddress(Uri, DisplayName) { Parameters = Parameters.Clone() };
        copy.Parameters.Set("tag", tag);
        return copy;
    }

    public static bool TryParse(string text, out SipNameAddress value)
    {
        value = null!;
        var s = text.AsSpan();
        var pos = 0;
        SipGrammar.SkipWhitespace(s, ref pos);
        string? display = null;
        SipUri? uri;

        var angle = IndexOfUnquoted(s, '<');
        if (angle >= 0)
        {
            if (pos < s.Length && s[pos] == '"')
            {
                if (!SipGrammar.TryReadQuoted(s, ref pos, out var quoted))
                {
                    return false;
                }

                display = quoted;
                SipGrammar.SkipWhitespace(s, ref pos);
                if (pos != angle)
                {
                    return false;
                }
            }
            else
            {
                // Unquoted display names are tokens separated by LWS (RFC 4475 lwsdisp, baddn).
                var tokens = SipGrammar.Trim(s[pos..angle]);
                foreach (var c in tokens)
                {
                    if (!SipGrammar.IsTokenChar(c) && c is not ' ' and not '\t')
                    {
                        return false;
                    }
                }

                display = tokens.IsEmpty ? null : tokens.ToString();
            }

            var close = s[angle..].IndexOf('>');
            if (close < 0 || !SipUri.TryParse(s[(angle + 1)..(angle + close)], out uri))
            {
                return false;
            }

            pos = angle + close + 1;
        }
        else
        {
            // addr-spec form: the URI cannot carry parameters or headers of its own; ';' starts header params.
            var end = pos;
            while (end < s.Length && s[end] != ';' && !SipGrammar.IsWhitespace(s[end]))
            {
                end++;
            }

            var uriText = s[pos..end];
            if (uriText.IndexOfAny('?', ',') >= 0 || !SipUri.TryParse(uriText, out uri))
            {
                return false;
            }

            pos = end;
        }

        var parameters = new SipParameters();
        if (!SipParameters.TryParseHeaderParameters(s, ref pos, parameters))
        {
            return false;
        }

        value = new SipNameAddress(uri, display) { Parameters = parameters };
        return true;
    }

    public static SipNameAddress Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"Not a valid name-addr: {text}");

    private static int IndexOfUnquoted(ReadOnlySpan<char> s, char wanted)
    {
        var inQuote = false;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (inQuote && c == '\\')
            {
                i++;
            }
            else if (c == '"')
            {
                inQuote = !inQuote;
            }
            else if (!inQuote && c == wanted)
            {
                return i;
            }
        }

        return -1;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(96);
        if (!string.IsNullOrEmpty(DisplayName))
        {
            sb.Append(SipGrammar.Quote(DisplayName)).Append(' ');
        }

        Uri.AppendTo(sb.Append('<')).Append('>');
        Parameters.WriteHeaderParameters(sb);
        return sb.ToString();
    }
}
