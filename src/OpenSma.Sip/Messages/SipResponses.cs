namespace OpenSma.Sip.Messages;

/// <summary>Builds responses to a request as RFC 3261 §8.2.6 prescribes.</summary>
public static class SipResponses
{
    /// <summary>
    /// A response copying Via, From, To, Call-ID and CSeq. The To tag is added when the request had
    /// none and <paramref name="toTag"/> is given (never on 100 Trying).
    /// </summary>
    public static SipResponse Create(SipRequest request, int statusCode, string? reasonPhrase = null, string? toTag = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new SipResponse(statusCode, reasonPhrase);
        var headers = response.Headers;
        foreach (var via in request.Headers.GetFields(SipHeaderNames.Via))
        {
            headers.Add(SipHeaderNames.Via, via);
        }

        CopyIfPresent(request, headers, SipHeaderNames.From);
        if (request.Headers.Get(SipHeaderNames.To) is { } to)
        {
            if (toTag is not null && statusCode > 100 && request.To is { Tag: null } parsedTo)
            {
                to = parsedTo.WithTag(toTag).ToString();
            }

            headers.Add(SipHeaderNames.To, to);
        }

        CopyIfPresent(request, headers, SipHeaderNames.CallId);
        CopyIfPresent(request, headers, SipHeaderNames.CSeq);
        if (statusCode == 100)
        {
            CopyIfPresent(request, headers, "Timestamp");
        }

        return response;
    }

    private static void CopyIfPresent(SipRequest request, SipHeaders headers, string name)
    {
        if (request.Headers.Get(name) is { } value)
        {
            headers.Add(name, value);
        }
    }
}
