using System.Globalization;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Dialogs;

/// <summary>
/// Our early dialogs as the caller (RFC 3261 §12.1.2): one per To-tag of the callee's provisional
/// responses (a forked INVITE may have several), kept by the outgoing INVITE until its final
/// response. The one the 2xx names becomes the confirmed dialog; the others end. Inside one the
/// callee may send UPDATE (RFC 3311): a target refresh, or a new offer once the first offer/answer
/// exchange has completed, answered by <see cref="SipInviteOptions.AnswerEarlyOffer"/> as a new
/// offer in a later reliable provisional is; and INFO (RFC 6086 §3.2 allows it in an early
/// dialog), whose DTMF digits are queued on the dialog's events as in a confirmed dialog.
/// </summary>
public sealed partial class SipDialog
{
    // The application's answer to a new offer in the early dialog; null once the dialog is confirmed.
    private Func<SipMessage, SipBody?>? _earlyOfferHook;

    /// <summary>
    /// Whether the first offer/answer exchange of this early dialog has completed (RFC 3262 §5):
    /// our INVITE's offer answered in a reliable provisional, or the callee's offer in one answered
    /// in our PRACK. Until then an offer in UPDATE is refused (RFC 3311 §5.2).
    /// </summary>
    internal bool UacExchangeDone { get; set; }

    /// <summary>The callee's latest session description in this dialog (reliable provisional or UPDATE).</summary>
    internal ReadOnlyMemory<byte> RemoteBody { get; set; }

    /// <summary>Makes this a UAC early dialog whose new offers <paramref name="answerEarlyOffer"/> answers.</summary>
    internal void BeginUacEarly(Func<SipMessage, SipBody?>? answerEarlyOffer) => _earlyOfferHook = answerEarlyOffer;

    /// <summary>
    /// The 2xx to our INVITE names this early dialog (RFC 3261 §13.2.2.4): the route set is
    /// recomputed from the 2xx and its Contact is the remote target. Confirmation follows the ACK.
    /// </summary>
    internal void ConfirmUacEarly(SipResponse response)
    {
        _earlyOfferHook = null;
        _routeSet.Clear();
        _routeSet.AddRange(response.RecordRoutes.Reverse());
        RefreshTarget(response);
        LearnPeerAllow(response);
    }

    /// <summary>
    /// A request the callee sends in our early dialog. UPDATE, INFO and OPTIONS are answered;
    /// anything else still gets 481 (the dialog is not one the callee may use for them before the 2xx).
    /// </summary>
    private void OnUacEarlyRequest(SipRequest request, ServerTransaction tx)
    {
        if (request.Method is not (SipMethods.Update or SipMethods.Options or SipMethods.Info))
        {
            tx.Respond(SipResponses.Create(request, 481));
            return;
        }

        if (!AcceptRemoteSeq(request.CSeq!.Value.Number))
        {
            tx.Respond(SipResponses.Create(request, 500, "Out Of Order CSeq"));
            return;
        }

        if (request.Method == SipMethods.Options)
        {
            var ok = SipResponses.Create(request, 200);
            ok.Headers.Add(SipHeaderNames.Allow, Core.SipCapabilities.Allow);
            tx.Respond(ok);
            return;
        }

        if (request.Method == SipMethods.Info)
        {
            // RFC 6086 §3.2: INFO is allowed once the early dialog exists, before the 2xx.
            OnInfo(request, tx);
            return;
        }

        if (request.Body.IsEmpty)
        {
            // A target refresh with no offer: 200 with our Contact; the callee's Contact is the new target.
            RespondInDialog(tx, 200, default, null, null);
            return;
        }

        if (!UacExchangeDone)
        {
            if (!InitialInvite.Body.IsEmpty)
            {
                // RFC 3311 §5.2: our INVITE's offer has no (reliable) answer yet in this dialog,
                // so both sides are offering at once.
                tx.Respond(SipResponses.Create(request, 491));
                return;
            }

            // §5.2: the callee's offer (or the first one it owes us) is not answered yet; the callee
            // may try again once it is, after 0 to 10 seconds.
            var pending = SipResponses.Create(request, 500, "Request Pending");
            pending.Headers.Add(SipHeaderNames.RetryAfter, Random.Shared.Next(0, 11).ToString(CultureInfo.InvariantCulture));
            tx.Respond(pending);
            return;
        }

        if (_earlyOfferHook?.Invoke(request) is not { } answer)
        {
            // RFC 3311 §5.2: an offer we cannot use gets 488; the session stays as it was.
            tx.Respond(SipResponses.Create(request, 488));
            return;
        }

        RemoteBody = request.Body;
        RespondInDialog(tx, 200, answer.Content, answer.ContentType, null);
    }
}
