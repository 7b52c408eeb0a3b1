using System.Globalization;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Transactions;

/// <summary>Transaction matching keys of RFC 3261 §17.1.3 and §17.2.3.</summary>
internal static class SipTransactionKeys
{
    /// <summary>Client side: the top Via branch plus the CSeq method.</summary>
    public static string? ForClient(SipMessage message) =>
        message.SharedTopVia?.Branch is { Length: > 0 } branch && message.CSeq is { } cseq ? branch + "|" + cseq.Method : null;

    /// <summary>
    /// Server side: branch, sent-by and method (ACK matches its INVITE). A request whose branch
    /// lacks the magic cookie (RFC 2543 peers, RFC 4475 badbranch) is matched on the dialog and CSeq
    /// identifiers instead.
    /// </summary>
    public static string? ForServer(SipRequest request)
    {
        var via = request.SharedTopVia;
        if (via is null || request.CSeq is not { } cseq)
        {
            return null;
        }

        var method = request.Method == SipMethods.Ack ? SipMethods.Invite : request.Method;
        var sentBy = via.Host + ":" + (via.Port ?? 5060).ToString(CultureInfo.InvariantCulture);
        if (via.HasRfc3261Branch)
        {
            return via.Branch + "|" + sentBy + "|" + method;
        }

        return string.Join(
            '|', "2543", request.CallId, request.FromTag, cseq.Number.ToString(CultureInfo.InvariantCulture), sentBy, via.Branch, method);
    }
}
