namespace OpenSma.Sip.Messages;

/// <summary>
/// One shared string for the parameter names and the few values and tokens that come up in almost
/// every message (tag, branch, rport, transport=udp, lr, the Via's SIP/2.0/UDP, ...). Parsed messages live as long as their
/// dialog, and every copy of "branch" or "tag" would otherwise be a string of its own per call.
/// Matching is exact (case-sensitive), so what is kept is exactly what was on the wire.
/// </summary>
internal static class SipCommonTokens
{
    private static readonly HashSet<string> Common =
    [
        "tag", "branch", "rport", "received", "transport", "lr", "user", "maddr", "ttl", "method",
        "expires", "q", "ob", "gr", "reg-id", "+sip.instance", "alias", "comp", "sigcomp",
        "udp", "tcp", "tls", "sctp", "ws", "wss", "UDP", "TCP", "TLS", "SCTP", "WS", "WSS", "phone", "ip", "SIP", "2.0",
    ];

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Common.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The shared string equal to <paramref name="text"/>, or a new one.</summary>
    public static string Get(ReadOnlySpan<char> text) => Lookup.TryGetValue(text, out var shared) ? shared : text.ToString();

    /// <summary>As <see cref="Get"/>, for URI parameters that may carry %-escapes.</summary>
    public static string GetUnescaped(ReadOnlySpan<char> text) =>
        text.Contains('%') ? Parsing.SipGrammar.Unescape(text) : Get(text);
}
