using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Parsing;

/// <summary>
/// Checks a syntactically read message for what RFC 3261 requires of every message: the mandatory
/// headers present once, and the core headers (Via, From, To, CSeq, Contact, Max-Forwards,
/// Expires) well formed and in range.
/// </summary>
internal static class SipMessageValidator
{
    private static readonly string[] Mandatory =
        [SipHeaderNames.CallId, SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CSeq, SipHeaderNames.Via];

    private static readonly string[] SingleValued =
        [SipHeaderNames.CallId, SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CSeq,
            SipHeaderNames.MaxForwards, SipHeaderNames.ContentType, SipHeaderNames.Expires];

    /// <summary>Returns null when valid, else the status code and reason to answer with.</summary>
    public static (int Code, string Error)? Validate(SipMessage message)
    {
        var headers = message.Headers;
        foreach (var name in Mandatory)
        {
            if (!headers.Contains(name))
            {
                return (400, "Missing " + name);
            }
        }

        foreach (var name in SingleValued)
        {
            if (headers.CountOf(name) > 1)
            {
                return (400, "Duplicate " + name);
            }
        }

        if (string.IsNullOrWhiteSpace(message.CallId))
        {
            return (400, "Empty Call-ID");
        }

        if (message.From is null)
        {
            return (400, "Malformed From");
        }

        if (message.To is null)
        {
            return (400, "Malformed To");
        }

        if (message.CSeq is not { } cseq)
        {
            return (400, "Malformed CSeq");
        }

        if (!AllParse(headers, SipHeaderNames.Via, static v => SipVia.TryParse(v, out _)))
        {
            return (400, "Malformed Via");
        }

        if (!ContactsValid(headers))
        {
            return (400, "Malformed Contact");
        }

        if (!AllParse(headers, SipHeaderNames.Route, static v => SipNameAddress.TryParse(v, out _))
            || !AllParse(headers, SipHeaderNames.RecordRoute, static v => SipNameAddress.TryParse(v, out _)))
        {
            return (400, "Malformed Route or Record-Route");
        }

        if (headers.Contains(SipHeaderNames.MaxForwards) && message.MaxForwards is null)
        {
            return (400, "Malformed Max-Forwards");
        }

        if (headers.Get(SipHeaderNames.Expires) is { } expires
            && !SipGrammar.TryParseBoundedInt(SipGrammar.Trim(expires), uint.MaxValue, out _))
        {
            return (400, "Malformed Expires");
        }

        if (headers.Get(SipHeaderNames.RetryAfter) is { } retry && !RetryAfterValid(retry))
        {
            return (400, "Malformed Retry-After");
        }

        if (message is SipRequest request && cseq.Method != request.Method)
        {
            // RFC 4475 mismatch02: an unknown method with a different CSeq method is best answered 501.
            return SipMethods.IsKnown(request.Method) ? (400, "CSeq method does not match") : (501, "Method not implemented");
        }

        return null;
    }

    private static bool RetryAfterValid(string value)
    {
        var s = SipGrammar.Trim(value);
        var end = 0;
        while (end < s.Length && char.IsAsciiDigit(s[end]))
        {
            end++;
        }

        return SipGrammar.TryParseBoundedInt(s[..end], uint.MaxValue, out _);
    }

    private static bool ContactsValid(SipHeaders headers)
    {
        var values = headers.GetValues(SipHeaderNames.Contact);
        if (values is null)
        {
            return false;
        }

        if (values is ["*"])
        {
            return true;
        }

        foreach (var v in values)
        {
            if (!SipNameAddress.TryParse(v, out var contact))
            {
                return false;
            }

            if (contact.Parameters.Get("expires") is { } e && !SipGrammar.TryParseBoundedInt(e, uint.MaxValue, out _))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllParse(SipHeaders headers, string name, Func<string, bool> parse)
    {
        var values = headers.GetValues(name);
        if (values is null)
        {
            return false;
        }

        foreach (var v in values)
        {
            if (!parse(v))
            {
                return false;
            }
        }

        return true;
    }
}
