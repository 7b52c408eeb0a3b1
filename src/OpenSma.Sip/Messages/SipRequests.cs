using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Messages;

/// <summary>Builds the requests the transaction layer derives from others: ACK for non-2xx and CANCEL.</summary>
public static class SipRequests
{
    /// <summary>ACK for a non-2xx final (RFC 3261 §17.1.1.3): same branch, To from the response.</summary>
    public static SipRequest AckForNon2xx(SipRequest invite, SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentNullException.ThrowIfNull(response);
        var ack = DerivedRequest(invite, SipMethods.Ack);
        ack.Headers.Set(SipHeaderNames.To, response.Headers.Get(SipHeaderNames.To) ?? invite.Headers.Get(SipHeaderNames.To)!);
        return ack;
    }

    /// <summary>CANCEL for a pending INVITE (RFC 3261 §9.1): same Request-URI, top Via, Call-ID, From, To and CSeq number.</summary>
    public static SipRequest Cancel(SipRequest invite)
    {
        ArgumentNullException.ThrowIfNull(invite);
        return DerivedRequest(invite, SipMethods.Cancel);
    }

    private static SipRequest DerivedRequest(SipRequest invite, string method)
    {
        var request = new SipRequest(method, invite.RequestUri);
        var headers = request.Headers;
        if (invite.Headers.GetValues(SipHeaderNames.Via) is [var topVia, ..])
        {
            headers.Add(SipHeaderNames.Via, topVia);
        }

        foreach (var route in invite.Headers.GetFields(SipHeaderNames.Route))
        {
            headers.Add(SipHeaderNames.Route, route);
        }

        headers.Add(SipHeaderNames.MaxForwards, "70");
        headers.Add(SipHeaderNames.From, invite.Headers.Get(SipHeaderNames.From)!);
        headers.Add(SipHeaderNames.To, invite.Headers.Get(SipHeaderNames.To)!);
        headers.Add(SipHeaderNames.CallId, invite.Headers.Get(SipHeaderNames.CallId)!);
        headers.Add(SipHeaderNames.CSeq, new SipCSeq(invite.CSeq!.Value.Number, method).ToString());
        return request;
    }

    /// <summary>A fresh branch with the RFC 3261 magic cookie.</summary>
    public static string NewBranch() => SipVia.MagicCookie + NewToken(16);

    /// <summary>A random token for tags, branches and Call-IDs.</summary>
    public static string NewToken(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> chars = stackalloc char[length];
        System.Security.Cryptography.RandomNumberGenerator.GetItems(alphabet, chars);
        return new string(chars);
    }

    internal static bool IsWellFormed(SipRequest request) => SipMessageValidator.Validate(request) is null;
}
