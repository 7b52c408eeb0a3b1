using System.Text;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Auth;

/// <summary>A challenge or credentials header: <c>Digest name=value, name="quoted", ...</c> (RFC 3261 §25.1, RFC 7616).</summary>
internal sealed class SipAuthHeader
{
    private readonly Dictionary<string, string> _params = new(StringComparer.OrdinalIgnoreCase);

    public SipAuthHeader(string scheme)
    {
        Scheme = scheme;
    }

    public string Scheme { get; }

    public string? this[string name]
    {
        get => _params.TryGetValue(name, out var v) ? v : null;
        set
        {
            if (value is null)
            {
                _params.Remove(name);
            }
            else
            {
                _params[name] = value;
            }
        }
    }

    public static bool TryParse(string text, out SipAuthHeader header)
    {
        header = null!;
        var s = text.AsSpan();
        var pos = 0;
        SipGrammar.SkipWhitespace(s, ref pos);
        var start = pos;
        while (pos < s.Length && SipGrammar.IsTokenChar(s[pos]))
        {
            pos++;
        }

        if (pos == start)
        {
            return false;
        }

        var result = new SipAuthHeader(s[start..pos].ToString());
        while (true)
        {
            SipGrammar.SkipWhitespace(s, ref pos);
            if (pos >= s.Length)
            {
                break;
            }

            if (s[pos] == ',')
            {
                pos++;
                continue;
            }

            var nameStart = pos;
            while (pos < s.Length && SipGrammar.IsTokenChar(s[pos]))
            {
                pos++;
            }

            if (pos == nameStart)
            {
                return false;
            }

            var name = s[nameStart..pos].ToString();
            SipGrammar.SkipWhitespace(s, ref pos);
            if (pos >= s.Length || s[pos] != '=')
            {
                return false;
            }

            pos++;
            SipGrammar.SkipWhitespace(s, ref pos);
            string value;
            if (pos < s.Length && s[pos] == '"')
            {
                if (!SipGrammar.TryReadQuoted(s, ref pos, out value))
                {
                    return false;
                }
            }
            else
            {
                var valueStart = pos;
                while (pos < s.Length && s[pos] != ',' && !SipGrammar.IsWhitespace(s[pos]))
                {
                    pos++;
                }

                value = s[valueStart..pos].ToString();
            }

            result._params[name] = value;
        }

        header = result;
        return true;
    }

    /// <summary>Formats with the given parameters quoted and the rest as tokens (RFC 7616 §3.4 quoting rules).</summary>
    public string Format(params string[] tokenParams)
    {
        var sb = new StringBuilder(Scheme).Append(' ');
        var first = true;
        foreach (var (name, value) in _params)
        {
            if (!first)
            {
                sb.Append(", ");
            }

            first = false;
            sb.Append(name).Append('=');
            sb.Append(tokenParams.Contains(name, StringComparer.OrdinalIgnoreCase) ? value : SipGrammar.Quote(value));
        }

        return sb.ToString();
    }
}
