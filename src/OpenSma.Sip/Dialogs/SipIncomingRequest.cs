using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Dialogs;

/// <summary>A request received inside a dialog, with the means to answer it once.</summary>
public sealed class SipIncomingRequest
{
    private readonly SipDialog _dialog;
    private readonly ServerTransaction _transaction;

    private readonly TaskCompletionSource<SipRequest?>? _ack;

    internal SipIncomingRequest(SipDialog dialog, ServerTransaction transaction)
    {
        _dialog = dialog;
        _transaction = transaction;
        if (transaction.Request.IsInvite)
        {
            _ack = new TaskCompletionSource<SipRequest?>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>
    /// For a re-INVITE: completes with the ACK for our 2xx, or null when we answered with a failure,
    /// the ACK never came (the dialog is then ended with BYE) or the dialog ended. When the
    /// re-INVITE carried no offer our 2xx carries one, and this ACK's body is the answer (RFC 3264).
    /// For other methods it is already complete with null.
    /// </summary>
    public Task<SipRequest?> Ack => _ack?.Task ?? Task.FromResult<SipRequest?>(null);

    internal void CompleteAck(SipRequest? ack) => _ack?.TrySetResult(ack);

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
    public void Respond(int statusCode, ReadOnlyMemory<byte> body = default, string? contentType = null, IEnumerable<SipHeader>? headers = null)
    {
        _dialog.RespondInDialog(_transaction, statusCode, body, contentType, headers);
        if (statusCode >= 300)
        {
            // A failure's ACK is absorbed by the transaction and carries nothing for the application.
            CompleteAck(null);
        }
    }
}
