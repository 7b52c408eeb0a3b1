using System.Globalization;
using System.Text;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Messages;

/// <summary>One Via value (RFC 3261 §20.42) with the rport/received parameters of RFC 3581.</summary>
public sealed class SipVia
{
    /// <summary>Branch prefix of RFC 3261 §8.1.1.7 that marks a branch as globally unique.</summary>
    public const string MagicCookie = "z9hG4bK";

    public SipVia(string transport, string host, int? port, string? branch)
    {
        Transport = transport.ToUpperInvariant();
        Host = host;
        Port = port;
        if (branch is not null)
        {
            Parameters.Set("branch", branch);
        }
    }

    public string Transport { get; }

    public string Host { get; }

    public int? Port { get; }

    public SipParameters Parameters { get; init; } = new();

    public string? Branch => Parameters.Get("branch");

    public string? Received => Parameters.Get("received");

    /// <summary>The rport value when the server filled it in; null when absent or still empty.</summary>
    public int? RPort => int.TryParse(Parameters.Get("rport"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;

    public bool HasRPort => Parameters.Contains("rport");

    /// <summary>True when the branch carries the RFC 3261 magic cookie and something after it.</summary>
    public bool HasRfc3261Branch => Branch is { } b && b.Length > MagicCookie.Length && b.StartsWith(MagicCookie, StringComparison.Ordinal);

    public static bool TryParse(string text, out SipVia via)
    {
        via = null!;
        var s = text.AsSpan();
        var pos = 0;
        if (!ReadToken(s, ref pos, out var protocol) || !protocol.Equals("SIP", StringComparison.OrdinalIgnoreCase)
            || !ReadSlash(s, ref pos) || !ReadToken(s, ref pos, out var version) || version != "2.0"
            || !ReadSlash(s, ref pos) || !ReadToken(s, ref pos, out var transport))
        {
            return false;
        }

        SipGrammar.SkipWhitespace(s, ref pos);
        var start = pos;
        while (pos < s.Length && s[pos] != ';' && !SipGrammar.IsWhitespace(s[pos]))
        {
            pos++;
        }

        if (!SipUri.TryParseHostPort(s[start..pos], out var host, out var port))
        {
            return false;
        }

        var parameters = new SipParameters();
        if (!SipParameters.TryParseHeaderParameters(s, ref pos, parameters))
        {
            return false;
        }

        via = new SipVia(transport, host, port, null) { Parameters = parameters };
        return true;
    }

    private static bool ReadToken(ReadOnlySpan<char> s, ref int pos, out string token)
    {
        SipGrammar.SkipWhitespace(s, ref pos);
        var start = pos;
        while (pos < s.Length && SipGrammar.IsTokenChar(s[pos]))
        {
            pos++;
        }

        token = SipCommonTokens.Get(s[start..pos]);
        return pos > start;
    }

    private static bool ReadSlash(ReadOnlySpan<char> s, ref int pos)
    {
        SipGrammar.SkipWhitespace(s, ref pos);
        if (pos >= s.Length || s[pos] != '/')
        {
            return false;
        }

        pos++;
        return true;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(80);
        sb.Append("SIP/2.0/").Append(Transport).Append(' ').Append(Host);
        if (Port is { } port)
        {
            sb.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }

        Parameters.WriteHeaderParameters(sb);
        return sb.ToString();
    }
}
