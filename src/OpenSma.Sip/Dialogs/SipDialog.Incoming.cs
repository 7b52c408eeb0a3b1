using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Dialogs;

/// <summary>Requests the peer sends inside the dialog (RFC 3261 §12.2.2, §14.2).</summary>
public sealed partial class SipDialog
{
    // The peer's re-INVITE until it is settled (its ACK came, we refused it, or the ACK never
    // came): a peer that refreshes the session by re-INVITE would otherwise leave its last
    // re-INVITE, transaction and all, on the dialog for the rest of the call.
    private ServerInviteTransaction? _incomingReInvite;
    private SipIncomingRequest? _incomingReInviteRequest;

    internal void OnRequest(SipRequest request, ServerTransaction tx)
    {
        if (Role == SipDialogRole.Uac && State == SipDialogState.Early)
        {
            OnUacEarlyRequest(request, tx);
            return;
        }

        if (!AcceptRemoteSeq(request.CSeq!.Value.Number))
        {
            tx.Respond(SipResponses.Create(request, 500, "Out Of Order CSeq"));
            return;
        }

        switch (request.Method)
        {
            case SipMethods.Bye:
                tx.Respond(SipResponses.Create(request, 200));
                if (Role == SipDialogRole.Uas && !IsAnswered && _inviteTransaction is not null)
                {
                    RespondToInvite(487, default, null);
                }

                Terminate(SipEndReason.RemoteHangUp);
                break;
            case SipMethods.Info:
                OnInfo(request, tx);
                break;
            case SipMethods.Invite:
                OnReInvite(request, (ServerInviteTransaction)tx);
                break;
            case SipMethods.Options:
                var ok = SipResponses.Create(request, 200);
                ok.Headers.Add(SipHeaderNames.Allow, Core.SipCapabilities.Allow);
                tx.Respond(ok);
                break;
            case SipMethods.Refer when !SipReferTarget.TryFrom(request, out _):
                // RFC 3515 §2.4.1: exactly one Refer-To, which must parse.
                tx.Respond(SipResponses.Create(request, 400, "Bad Refer-To"));
                break;
            case SipMethods.Prack when Role == SipDialogRole.Uas:
                OnPrack(request, tx);
                break;
            case SipMethods.Notify when TryHandleReferNotify(request, tx):
                break;
            case SipMethods.Update when !request.Body.IsEmpty && Role == SipDialogRole.Uas && State == SipDialogState.Early
                && (!_earlySessionAgreed || _offerAwaitingPrackAnswer is not null):
                // RFC 3311 §5.2, RFC 6337 §3.1: an offer in UPDATE before the INVITE's exchange has
                // completed reliably, or while our offer in a reliable provisional awaits its answer.
                tx.Respond(SipResponses.Create(request, 491));
                break;
            case SipMethods.Update when request.Body.IsEmpty:
                // A session refresh (RFC 4028) or a target refresh with no offer: nothing for the application.
                RespondInDialog(tx, 200, default, null, null);
                break;
            default:
                if (request.Method is SipMethods.Update)
                {
                    RefreshTarget(request);
                }

                Emit(new SipDialogRequestReceived(new SipIncomingRequest(this, tx)));
                break;
        }
    }

    /// <summary>
    /// INFO in any of our dialogs, early (RFC 6086 §3.2) or confirmed, answered by the stack: DTMF
    /// (<c>application/dtmf-relay</c>, <c>application/dtmf</c>) gets 200 and a
    /// <see cref="SipDtmfReceived"/> on the dialog's events (in our early dialog as the UAC, read from
    /// the confirmed dialog, the same object, in order before <see cref="SipDialogConfirmed"/>); an
    /// unreadable DTMF body gets 400; an INFO naming an Info Package gets 469 (we announce none in
    /// Recv-Info, §4.2.2: the 469 carries an empty Recv-Info); any other body 415 with Accept
    /// (§4.2.2, legacy INFO usage); a body-less INFO (a keep-alive) 200.
    /// </summary>
    private void OnInfo(SipRequest request, ServerTransaction tx)
    {
        if (SipDtmfInfo.IsDtmf(request.ContentType))
        {
            OnDtmfInfo(request, tx);
            return;
        }

        if (request.Headers.Get(SipHeaderNames.InfoPackage) is not null)
        {
            var bad = SipResponses.Create(request, 469);
            bad.Headers.Add(SipHeaderNames.RecvInfo, string.Empty);
            tx.Respond(bad);
            return;
        }

        if (!request.Body.IsEmpty)
        {
            var unsupported = SipResponses.Create(request, 415);
            unsupported.Headers.Add(SipHeaderNames.Accept, SipDtmfInfo.AcceptedTypes);
            tx.Respond(unsupported);
            return;
        }

        tx.Respond(SipResponses.Create(request, 200));
    }

    private void OnDtmfInfo(SipRequest request, ServerTransaction tx)
    {
        if (SipDtmfInfo.TryParse(request.ContentType, request.Body.Span, out var digit, out var duration))
        {
            tx.Respond(SipResponses.Create(request, 200));
            Emit(new SipDtmfReceived(digit, duration));
        }
        else
        {
            tx.Respond(SipResponses.Create(request, 400, "Bad DTMF Body"));
        }
    }

    private void OnReInvite(SipRequest request, ServerInviteTransaction tx)
    {
        if (_reInviteOutstanding)
        {
            // Glare (RFC 3261 §14.2): both sides re-INVITEd at once.
            tx.Respond(SipResponses.Create(request, 491));
            return;
        }

        if (_incomingReInvite is { State: SipTransactionState.Proceeding } || (Role == SipDialogRole.Uas && !IsAnswered))
        {
            var busy = SipResponses.Create(request, 500, "Request Pending");
            busy.Headers.Add(SipHeaderNames.RetryAfter, "2");
            tx.Respond(busy);
            return;
        }

        var incoming = new SipIncomingRequest(this, tx);
        _incomingReInvite = tx;
        _incomingReInviteRequest = incoming;
        tx.AckTimedOut = _ => OnReInviteAckTimeout(incoming);
        Emit(new SipDialogRequestReceived(incoming));
    }

    private void OnReInviteAckTimeout(SipIncomingRequest reInvite)
    {
        reInvite.CompleteAck(null);
        ReleaseReInvite(reInvite);
        if (State == SipDialogState.Confirmed)
        {
            // RFC 3261 §14.2: a 2xx to a re-INVITE that is never ACKed ends the dialog with BYE.
            SendBye(reason: SipEndReason.AckTimeout);
        }
    }

    internal void OnAck(SipRequest ack)
    {
        if (Role == SipDialogRole.Uas && ack.CSeq?.Number == InitialInvite.CSeq?.Number)
        {
            OnInitialAck(ack);
            return;
        }

        if (_incomingReInviteRequest is { } reInvite && reInvite.Request.CSeq?.Number == ack.CSeq?.Number)
        {
            _incomingReInvite?.OnAckFor2xx();
            reInvite.CompleteAck(ack);
            ReleaseReInvite(reInvite);
        }
    }

    /// <summary>The re-INVITE is settled: the transaction layer absorbs its copies from here.</summary>
    private void ReleaseReInvite(SipIncomingRequest reInvite)
    {
        if (ReferenceEquals(_incomingReInviteRequest, reInvite))
        {
            _incomingReInvite = null;
            _incomingReInviteRequest = null;
        }
    }

    internal void RespondInDialog(ServerTransaction tx, int statusCode, ReadOnlyMemory<byte> body, string? contentType, IEnumerable<SipHeader>? headers)
    {
        lock (_ua.Core.Gate)
        {
            var response = SipResponses.Create(tx.Request, statusCode);
            if (statusCode is >= 200 and < 300 && tx.Request.Method is SipMethods.Invite or SipMethods.Update)
            {
                response.Headers.Add(SipHeaderNames.Contact, _ua.ContactFor(Flow, LocalParty.Uri.User).ToString());
                RefreshTarget(tx.Request);
                if (Role == SipDialogRole.Uas || State != SipDialogState.Early)
                {
                    // As the caller, session timers start with the 2xx to the INVITE (RFC 4028 §8),
                    // not with an UPDATE in our early dialog.
                    AdoptIncomingSession(tx.Request);
                }

                if (_session is not null)
                {
                    AddSessionHeaders(response, tx.Request);
                    RestartSessionTimer();
                }

            }

            if (statusCode is >= 200 and < 300 && tx.Request.Method is SipMethods.Invite or SipMethods.Update or SipMethods.Prack)
            {
                // Our answer is now the session we describe: a refresh re-INVITE offers it again,
                // and a later reliable provisional is a new offer only when it differs from it.
                RememberLocalBody(body, contentType);
            }

            foreach (var h in headers ?? [])
            {
                response.Headers.Add(h.Name, h.Value);
            }

            if (contentType is not null)
            {
                response.Headers.Add(SipHeaderNames.ContentType, contentType);
            }

            response.Body = body;
            tx.Respond(response);
            if (statusCode >= 300 && ReferenceEquals(tx, _incomingReInvite))
            {
                // A refused re-INVITE: its ACK stays in the transaction, nothing for the dialog.
                _incomingReInviteRequest!.CompleteAck(null);
                ReleaseReInvite(_incomingReInviteRequest);
            }

            if (tx.Request.Method == SipMethods.Prack)
            {
                OnPrackOfferAnswered(tx, statusCode, body, contentType);
            }
        }
    }
}
