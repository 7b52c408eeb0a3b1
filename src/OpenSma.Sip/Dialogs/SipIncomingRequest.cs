using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Dialogs;

/// <summary>A request received inside a dialog, with the means to answer it once.</summary>
public sealed class SipIncomingRequest
{
    private readonly SipDialog _dialog;
    private readonly ServerTransaction _transaction;

    internal SipIncomingRequest(SipDialog dialog, ServerTransaction transaction)
    {
        _dialog = dialog;
        _transaction = transaction;
    }

    public SipRequest Request => _transaction.Request;

    public string Method => Request.Method;

    /// <summary>For a REFER: where the peer asks us to call (the Refer-To URI), else null.</summary>
    public SipUri? ReferTo =>
        Request.Headers.Get(SipHeaderNames.ReferTo) is { } value && SipNameAddress.TryParse(value, out var target) ? target.Uri : null;

    /// <summary>
    /// For a REFER: the full request (target without embedded headers, Replaces for an attended
    /// transfer, Referred-By, other embedded headers), ready to become the new call's options.
    /// </summary>
    public SipReferTarget? Refer => Method == SipMethods.Refer && SipReferTarget.TryFrom(Request, out var target) ? target : null;

    public bool IsAnswered => _transaction.LastResponse is { IsFinal: true };

    /// <summary>Answers the request; a 2xx to a re-INVITE carries our Contact and expects an ACK.</summary>
    public void Respond(int statusCode, ReadOnlyMemory<byte> body = default, string? contentType = null, IEnumerable<SipHeader>? headers = null) =>
        _dialog.RespondInDialog(_transaction, statusCode, body, contentType, headers);
}
