using System.Globalization;
using System.Text;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Messages;

/// <summary>
/// A SIP, SIPS or tel URI (RFC 3261 §19.1, RFC 3966). Other schemes are kept opaque in
/// <see cref="Opaque"/> so that a request for them can still be parsed and answered 416.
/// </summary>
public sealed class SipUri
{
    private const string UserAllowed = "&=+$,;?/";
    private const string ParamAllowed = "[]/:&+$";
    private const string HeaderAllowed = "[]/?:+$";

    public SipUri(string scheme, string? user, string host, int? port = null)
    {
        Scheme = scheme.ToLowerInvariant();
        User = user;
        Host = host;
        Port = port;
    }

    /// <summary>Lower-case scheme: <c>sip</c>, <c>sips</c>, <c>tel</c> or another.</summary>
    public string Scheme { get; }

    /// <summary>Unescaped user part; for tel URIs the number.</summary>
    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>Host name, IPv4 address or bracketed IPv6 reference; empty for tel and opaque URIs.</summary>
    public string Host { get; init; }

    public int? Port { get; init; }

    public SipParameters Parameters { get; init; } = new();

    /// <summary>URI headers (<c>?name=value&amp;...</c>), unescaped.</summary>
    public SipParameters Headers { get; init; } = new();

    /// <summary>The text after <c>scheme:</c> for schemes this stack does not understand.</summary>
    public string? Opaque { get; init; }

    public bool IsSip => Scheme is "sip" or "sips";

    public bool IsTel => Scheme == "tel";

    public string? Transport => Parameters.Get("transport");

    /// <summary>The number a call addresses: the user part of a sip URI or the tel number.</summary>
    public string? Number => User;

    public SipUri With(Action<SipUri>? configure = null)
    {
        var copy = new SipUri(Scheme, User, Host, Port)
        {
            Password = Password,
            Parameters = Parameters.Clone(),
            Headers = Headers.Clone(),
            Opaque = Opaque,
        };
        configure?.Invoke(copy);
        return copy;
    }

    public static SipUri Sip(string? user, string host, int? port = null) => new("sip", user, host, port);

    public static bool TryParse(string text, out SipUri uri) => TryParse(text.AsSpan(), out uri);

    public static SipUri Parse(string text) =>
        TryParse(text, out var uri) ? uri : throw new FormatException($"Not a valid URI: {text}");

    public static bool TryParse(ReadOnlySpan<char> text, out SipUri uri)
    {
        uri = null!;
        var colon = text.IndexOf(':');
        if (colon <= 0 || !IsScheme(text[..colon]))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c <= ' ' || c is '<' or '>' or '"' || c == 0x7f)
            {
                return false;
            }
        }

        var scheme = KnownScheme(text[..colon]) ?? text[..colon].ToString().ToLowerInvariant();
        var rest = text[(colon + 1)..];
        return scheme switch
        {
            "sip" or "sips" => TryParseSip(scheme, rest, out uri),
            "tel" => TryParseTel(rest, out uri),
            _ => TryParseOpaque(scheme, rest, out uri),
        };
    }

    /// <summary>The common schemes as shared strings: every parsed message holds several URIs.</summary>
    private static string? KnownScheme(ReadOnlySpan<char> s) =>
        s.Equals("sip", StringComparison.OrdinalIgnoreCase) ? "sip"
        : s.Equals("sips", StringComparison.OrdinalIgnoreCase) ? "sips"
        : s.Equals("tel", StringComparison.OrdinalIgnoreCase) ? "tel"
        : null;

    private static bool IsScheme(ReadOnlySpan<char> s)
    {
        if (!char.IsAsciiLetter(s[0]))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '+' and not '-' and not '.')
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryParseOpaque(string scheme, ReadOnlySpan<char> rest, out SipUri uri)
    {
        uri = new SipUri(scheme, null, string.Empty) { Opaque = rest.ToString() };
        return rest.Length > 0;
    }

    private static bool TryParseTel(ReadOnlySpan<char> rest, out SipUri uri)
    {
        uri = null!;
        var semi = rest.IndexOf(';');
        var number = semi < 0 ? rest : rest[..semi];
        if (number.IsEmpty)
        {
            return false;
        }

        var parameters = new SipParameters();
        if (semi >= 0 && !TryParseUriParameters(rest[semi..], parameters))
        {
            return false;
        }

        uri = new SipUri("tel", SipGrammar.Unescape(number), string.Empty) { Parameters = parameters };
        return true;
    }

    private static bool TryParseSip(string scheme, ReadOnlySpan<char> rest, out SipUri uri)
    {
        uri = null!;
        // The user part may hold ';' and '?' (RFC 4475 semiuri, intmeth); '@' is escaped everywhere
        // else, so the first '@' ends the user information.
        string? user = null;
        string? password = null;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            var passColon = userInfo.IndexOf(':');
            var userPart = passColon < 0 ? userInfo : userInfo[..passColon];
            if (userPart.IsEmpty)
            {
                return false;
            }

            user = SipGrammar.Unescape(userPart);
            if (passColon >= 0)
            {
                password = SipGrammar.Unescape(userInfo[(passColon + 1)..]);
            }

            rest = rest[(at + 1)..];
        }

        var question = rest.IndexOf('?');
        var beforeHeaders = question < 0 ? rest : rest[..question];
        var semi = beforeHeaders.IndexOf(';');
        var hostPort = semi < 0 ? beforeHeaders : beforeHeaders[..semi];
        if (!TryParseHostPort(hostPort, out var host, out var port))
        {
            return false;
        }

        var parameters = new SipParameters();
        if (semi >= 0 && !TryParseUriParameters(beforeHeaders[semi..], parameters))
        {
            return false;
        }

        var headers = new SipParameters();
        if (question >= 0 && !TryParseUriHeaders(rest[(question + 1)..], headers))
        {
            return false;
        }

        uri = new SipUri(scheme, user, host, port) { Password = password, Parameters = parameters, Headers = headers };
        return true;
    }

    internal static bool TryParseHostPort(ReadOnlySpan<char> s, out string host, out int? port)
    {
        host = string.Empty;
        port = null;
        ReadOnlySpan<char> portText;
        if (s.Length > 0 && s[0] == '[')
        {
            var close = s.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            host = s[..(close + 1)].ToString();
            if (!System.Net.IPAddress.TryParse(s[1..close], out _))
            {
                return false;
            }

            portText = s[(close + 1)..];
            if (!portText.IsEmpty && portText[0] != ':')
            {
                return false;
            }

            portText = portText.IsEmpty ? portText : portText[1..];
            if (portText.IsEmpty && s.Length > close + 1)
            {
                return false;
            }
        }
        else
        {
            var colon = s.IndexOf(':');
            var hostText = colon < 0 ? s : s[..colon];
            if (hostText.IsEmpty)
            {
                return false;
            }

            foreach (var c in hostText)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '.')
                {
                    return false;
                }
            }

            host = hostText.ToString();
            portText = colon < 0 ? [] : s[(colon + 1)..];
            if (colon >= 0 && portText.IsEmpty)
            {
                return false;
            }
        }

        if (!portText.IsEmpty)
        {
            if (!SipGrammar.TryParseBoundedInt(portText, 65535, out var p))
            {
                return false;
            }

            port = (int)p;
        }

        return true;
    }

    private static bool TryParseUriParameters(ReadOnlySpan<char> s, SipParameters into)
    {
        // s starts with ';'
        foreach (var range in s[1..].Split(';'))
        {
            var item = s[1..][range];
            if (item.IsEmpty)
            {
                return false;
            }

            var eq = item.IndexOf('=');
            var name = eq < 0 ? item : item[..eq];
            if (name.IsEmpty)
            {
                return false;
            }

            into.Add(SipCommonTokens.GetUnescaped(name), eq < 0 ? null : SipCommonTokens.GetUnescaped(item[(eq + 1)..]));
        }

        return true;
    }

    private static bool TryParseUriHeaders(ReadOnlySpan<char> s, SipParameters into)
    {
        foreach (var range in s.Split('&'))
        {
            var item = s[range];
            var eq = item.IndexOf('=');
            if (eq <= 0)
            {
                return false;
            }

            into.Add(SipGrammar.Unescape(item[..eq]), SipGrammar.Unescape(item[(eq + 1)..]));
        }

        return true;
    }

    public override string ToString() => AppendTo(new StringBuilder(64)).ToString();

    /// <summary>Writes the URI into <paramref name="sb"/>: messages and name-addresses are written without an intermediate string.</summary>
    internal StringBuilder AppendTo(StringBuilder sb)
    {
        sb.Append(Scheme).Append(':');
        if (Opaque is not null)
        {
            return sb.Append(Opaque);
        }

        if (IsTel)
        {
            sb.Append(SipGrammar.Escape(User ?? string.Empty, "+-.()" + ParamAllowed));
        }
        else
        {
            if (User is not null)
            {
                sb.Append(SipGrammar.Escape(User, UserAllowed));
                if (Password is not null)
                {
                    sb.Append(':').Append(SipGrammar.Escape(Password, "&=+$,"));
                }

                sb.Append('@');
            }

            sb.Append(Host);
            if (Port is { } port)
            {
                sb.Append(':').Append(port);
            }
        }

        // Indexed: foreach over the parameter lists would box an enumerator each.
        for (var i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            sb.Append(';').Append(SipGrammar.Escape(p.Name, ParamAllowed));
            if (p.Value is not null)
            {
                sb.Append('=').Append(SipGrammar.Escape(p.Value, ParamAllowed));
            }
        }

        for (var i = 0; i < Headers.Count; i++)
        {
            var h = Headers[i];
            sb.Append(i == 0 ? '?' : '&').Append(SipGrammar.Escape(h.Name, HeaderAllowed))
                .Append('=').Append(SipGrammar.Escape(h.Value ?? string.Empty, HeaderAllowed));
        }

        return sb;
    }
}
