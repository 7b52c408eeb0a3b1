using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Parsing;

/// <summary>
/// Parses the start line and header fields of one message (everything before the empty line).
/// Folded lines are joined; compact names are expanded.
/// </summary>
internal static class SipHeadParser
{
    private static readonly SipUri Placeholder = SipUri.Sip(null, "invalid");

    /// <summary>
    /// Parses <paramref name="head"/>. On failure <paramref name="message"/> may still hold a partial
    /// message (with a placeholder Request-URI when that was the faulty part) so that a UAS can answer.
    /// </summary>
    public static SipParseResult Parse(string head, SipParserLimits limits)
    {
        var lines = SplitLines(head);
        if (lines.Count == 0 || lines[0].Length == 0)
        {
            return SipParseResult.Fail(400, "Missing start line");
        }

        if (lines.Count - 1 > limits.MaxHeaderCount)
        {
            return SipParseResult.Fail(400, "Too many header lines");
        }

        var (message, startCode, startError) = ParseStartLine(lines[0].ToString());
        var headerError = ReadHeaders(lines, message.Headers, limits);
        if (headerError is not null)
        {
            return SipParseResult.Fail(400, headerError, message);
        }

        return startError is not null
            ? SipParseResult.Fail(startCode, startError, message)
            : SipParseResult.Ok(message, 0);
    }

    /// <summary>The logical lines of the head, as slices of it (a folded line is the only one copied).</summary>
    private static List<ReadOnlyMemory<char>> SplitLines(string head)
    {
        var lines = new List<ReadOnlyMemory<char>>(24);
        var start = 0;
        while (start < head.Length)
        {
            var nl = head.IndexOf('\n', start);
            var end = nl < 0 ? head.Length : nl;
            var lineEnd = end > start && head[end - 1] == '\r' ? end - 1 : end;
            var line = head.AsMemory(start, lineEnd - start);
            if (line.Length > 0 && (line.Span[0] == ' ' || line.Span[0] == '\t') && lines.Count > 1)
            {
                // A continuation line: RFC 3261 §7.3.1 folding is equivalent to one SP.
                lines[^1] = string.Concat(lines[^1].Span, " ", line.Span.TrimStart(" \t")).AsMemory();
            }
            else if (line.Length > 0 || lines.Count == 0)
            {
                lines.Add(line);
            }

            start = nl < 0 ? head.Length : nl + 1;
        }

        return lines;
    }

    private static string? ReadHeaders(List<ReadOnlyMemory<char>> lines, SipHeaders headers, SipParserLimits limits)
    {
        for (var i = 1; i < lines.Count; i++)
        {
            var line = lines[i].Span;
            if (line.Length > limits.MaxLineLength)
            {
                return "Header line too long";
            }

            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                return "Header line without a name and colon";
            }

            var name = SipGrammar.Trim(line[..colon]);
            if (!SipGrammar.IsToken(name))
            {
                return "Malformed header name";
            }

            headers.Add(SipHeaderNames.Normalize(name), SipGrammar.Trim(line[(colon + 1)..]).ToString());
        }

        return null;
    }

    private static (SipMessage Message, int Code, string? Error) ParseStartLine(string line)
    {
        if (line.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
        {
            return ParseStatusLine(line);
        }

        var parts = line.Split(' ');
        if (parts.Length != 3 || !SipGrammar.IsToken(parts[0]))
        {
            var method = parts.Length > 0 && SipGrammar.IsToken(parts[0]) ? parts[0] : "INVALID";
            return (new SipRequest(method, Placeholder), 400, "Malformed request line");
        }

        var version = parts[2];
        if (!SipUri.TryParse(parts[1], out var uri))
        {
            return (new SipRequest(parts[0], Placeholder), 400, "Malformed Request-URI");
        }

        var request = new SipRequest(parts[0], uri);
        if (uri.IsSip && uri.Headers.Count > 0)
        {
            // RFC 4475 escruri: headers in a Request-URI must never turn into header fields.
            return (request, 400, "Request-URI carries headers");
        }

        if (!string.Equals(version, "SIP/2.0", StringComparison.OrdinalIgnoreCase))
        {
            return version.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase)
                ? (request, 505, "SIP version not supported")
                : (request, 400, "Malformed SIP version");
        }

        return (request, 0, null);
    }

    private static (SipMessage Message, int Code, string? Error) ParseStatusLine(string line)
    {
        // SIP-Version SP Status-Code SP Reason-Phrase; the reason may be empty (RFC 4475 noreason).
        var firstSpace = line.IndexOf(' ', StringComparison.Ordinal);
        var version = firstSpace < 0 ? line : line[..firstSpace];
        var rest = firstSpace < 0 ? string.Empty : line[(firstSpace + 1)..];
        var secondSpace = rest.IndexOf(' ', StringComparison.Ordinal);
        var codeText = secondSpace < 0 ? rest : rest[..secondSpace];
        var reason = secondSpace < 0 ? string.Empty : rest[(secondSpace + 1)..];
        long code = 0;
        var validCode = codeText.Length == 3 && SipGrammar.TryParseBoundedInt(codeText, 699, out code) && code >= 100;
        var response = new SipResponse(validCode ? (int)code : 500, reason);
        if (!validCode)
        {
            return (response, 400, "Malformed status code");
        }

        return string.Equals(version, "SIP/2.0", StringComparison.OrdinalIgnoreCase)
            ? (response, 0, null)
            : (response, 505, "SIP version not supported");
    }
}
