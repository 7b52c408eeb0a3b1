using System.Text;
using Microsoft.Extensions.Logging;
using OpenSma.Engine.Legs;
using OpenSma.Media.Sdp;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Telephony.Legs;

// The dialog side: taking an INVITE, early media, answer, hang-up, in-dialog requests and the
// far end going away (BYE, CANCEL, dead RTP).
public sealed partial class SipCallLeg
{
    private const string SdpType = "application/sdp";

    private byte[]? _answerBody;
    private bool _earlyMediaSent;

    // The INVITE had no offer: our 200 OK carries one and the caller's answer comes in the ACK.
    private bool _offerInAnswer;

    /// <summary>
    /// Takes an incoming INVITE: binds ports and answers its SDP offer (not sent yet). An INVITE
    /// without a body gets our offer in the 200 OK instead, and the caller's answer is taken from
    /// the ACK (RFC 3261 §13.2.1). On failure the INVITE is rejected here (488 unusable offer, 503
    /// no RTP port) and null is returned.
    /// </summary>
    internal static SipCallLeg? AcceptInvite(
        SipDialog dialog,
        MediaPlane plane,
        string from,
        string to,
        IReadOnlyDictionary<string, string>? sipHeaders,
        ILogger logger,
        out int rejectedWith)
    {
        var invite = dialog.InitialInvite;
        rejectedWith = 0;
        var offerless = invite.Body.IsEmpty;
        SessionDescription? offer = null;
        if (!offerless)
        {
            var parsed = SdpParser.Parse(Encoding.UTF8.GetString(invite.Body.Span));
            offer = parsed.Description;
            if (offer is null)
            {
                rejectedWith = 488;
                LogRejected(logger, invite.CallId, 488, parsed.Error ?? "unreadable SDP");
                dialog.Reject(488, "Not Acceptable Here");
                return null;
            }
        }

        var media = plane.TryOpenLeg();
        if (media is null)
        {
            rejectedWith = 503;
            LogRejected(logger, invite.CallId, 503, "no free RTP port");
            dialog.Reject(503, "No Media Port Available");
            return null;
        }

        string body;
        if (offer is null)
        {
            body = media.CreateOffer().ToString();
        }
        else
        {
            var result = media.Answer(offer);
            if (!result.IsSuccess)
            {
                media.Dispose();
                rejectedWith = 488;
                LogRejected(logger, invite.CallId, 488, result.Error ?? "no common codec");
                dialog.Reject(488, "Not Acceptable Here");
                return null;
            }

            body = result.Answer!.ToString();
        }

        var leg = new SipCallLeg(plane, media, LegDirection.Inbound, from, to, sipHeaders, logger)
        {
            _answerBody = Encoding.UTF8.GetBytes(body),
            _offerInAnswer = offerless,
        };
        leg._dialog = dialog;
        leg.StartWatching();
        return leg;
    }

    public ValueTask DialAsync(CancellationToken cancellationToken) =>
        Direction == LegDirection.Outbound ? StartDialing() : ValueTask.CompletedTask;

    public async ValueTask AnswerAsync(CancellationToken cancellationToken)
    {
        SipDialog? dialog;
        lock (_gate)
        {
            if (Direction != LegDirection.Inbound || _state != LegState.Alerting)
            {
                return;
            }

            dialog = _dialog;
        }

        if (dialog is null || _media is not { } media)
        {
            return;
        }

        media.StartSending();
        var acknowledged = await dialog.AnswerAsync(_answerBody, SdpType, cancellationToken).ConfigureAwait(false);
        if (acknowledged && _offerInAnswer)
        {
            // Media starts once the answer in the ACK is applied; the engine plays only after this returns.
            var error = ApplyAnswer(await dialog.InitialAck.ConfigureAwait(false), media);
            if (error is not null)
            {
                // RFC 3261 §13.3.1.4: an unusable answer in the ACK ends the call with BYE.
                LogBadAnswer(_logger, CallId, error);
                OnFarEnd(488);
                return;
            }
        }

        if (acknowledged)
        {
            lock (_gate)
            {
                if (_state == LegState.Alerting)
                {
                    _state = LegState.Connected;
                }
            }
        }

        // Not acknowledged: the caller cancelled or never ACKed; the dialog's end reaches OnDialogEnded.
    }

    public ValueTask HangupAsync(int sipResponseCode, CancellationToken cancellationToken)
    {
        SipDialog? dialog;
        LegState previous;
        lock (_gate)
        {
            if (_state == LegState.Ended)
            {
                return ValueTask.CompletedTask;
            }

            previous = _state;
            _state = LegState.Ended;
            _endedByEngine = true;
            ReleasedWith = sipResponseCode;
            dialog = _dialog;
        }

        if (Direction == LegDirection.Inbound && dialog is { IsAnswered: false })
        {
            // Reject the unanswered call with the handler's code; 0 (normal clearing) is 480.
            dialog.Reject(sipResponseCode is >= 300 and <= 699 ? sipResponseCode : 480);
        }
        else if (Direction == LegDirection.Outbound && previous == LegState.Alerting)
        {
            CancelDialing();
        }

        Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>Inbound legs not yet answered send 183 with the SDP answer, so prompts and ringback reach the caller.</summary>
    private void OpenMediaPath()
    {
        if (_media is not { } media)
        {
            return;
        }

        SipDialog? earlyDialog = null;
        lock (_gate)
        {
            // Without the caller's offer there is nothing to answer in a 183 (an offer there would need 100rel).
            if (Direction == LegDirection.Inbound && _state == LegState.Alerting && !_earlyMediaSent && !_offerInAnswer && _dialog is { IsAnswered: false } d)
            {
                _earlyMediaSent = true;
                earlyDialog = d;
            }
        }

        earlyDialog?.Ring(183, _answerBody, SdpType);
        media.StartSending();
    }

    /// <summary>
    /// An unanswered inbound leg opens early media with <paramref name="statusCode"/> (180 or 183)
    /// carrying our SDP answer, instead of the 183 <see cref="OpenMediaPath"/> would send: a proxy
    /// call relays the far end's 180 or 183 with SDP this way. False when the leg cannot (answered,
    /// ended, already early, or the INVITE had no offer to answer).
    /// </summary>
    internal bool OpenEarlyMedia(int statusCode)
    {
        SipDialog? dialog;
        lock (_gate)
        {
            if (_media is null || Direction != LegDirection.Inbound || _state != LegState.Alerting || _earlyMediaSent || _offerInAnswer
                || _dialog is not { IsAnswered: false } d)
            {
                return false;
            }

            _earlyMediaSent = true;
            dialog = d;
        }

        dialog.Ring(statusCode, _answerBody, SdpType);
        return true;
    }

    /// <summary>Follows the dialog, the received digits and the RTP inactivity watch.</summary>
    private void StartWatching()
    {
        var dialog = _dialog!;
        _ = WatchDialogAsync(dialog);
        if (_media is { } media)
        {
            _ = WatchDigitsAsync(media);
            WatchInactivity(media);
        }
    }

    private async Task WatchDialogAsync(SipDialog dialog)
    {
        try
        {
            await foreach (var happening in dialog.Events.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                switch (happening)
                {
                    case SipDtmfReceived dtmf:
                        // With its Duration (the SIP layer's default when the body gave none), so a bridge relays its length.
                        _media?.Session.Digits.OnSipInfo(dtmf.Digit, TimeSpan.FromMilliseconds(dtmf.DurationMs));
                        break;
                    case SipDialogRequestReceived request:
                        OnInDialogRequest(request.Request);
                        break;
                    case SipDialogConfirmed:
                        break;
                    case SipDialogTerminated ended:
                        OnFarEnd(EndCode(ended));
                        return;
                }
            }
        }
        catch (Exception ex)
        {
            LogWatchFailed(_logger, CallId, ex);
            OnFarEnd(0);
        }
    }

    private static int EndCode(SipDialogTerminated ended) => ended.Reason switch
    {
        // The far end hung up or vanished: normal clearing as far as the handler is concerned.
        SipEndReason.Rejected => ended.StatusCode ?? 480,
        _ => 0,
    };

    // The digit reader needs no cancellation token: Release disposes the media, and disposing the
    // RTP session completes its digit channel, which ends this loop. (A token would cost every
    // live leg a registration on it for the call's life.)
    private async Task WatchDigitsAsync(LegMedia media)
    {
        await foreach (var digit in media.Session.Digits.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            ILegObserver? observer;
            lock (_gate)
            {
                observer = _state == LegState.Ended ? null : _observer;
            }

            observer?.OnDigit(this, digit.Digit);
        }
    }

    // One continuation on the session's inactivity task, nothing else: no state machine, no
    // cancellation. When the leg ends first the task never completes and the continuation goes
    // with the session; one that still runs after Release finds the leg released and does nothing.
    private void WatchInactivity(LegMedia media) =>
        media.Session.PeerInactive.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(OnPeerInactive);

    private void OnPeerInactive()
    {
        lock (_gate)
        {
            if (_released)
            {
                return;
            }
        }

        LogInactive(_logger, CallId, _plane.Options.RtpInactivityTimeout);
        // Release sends BYE (or 480 if never answered); the engine hears a normal clearing.
        OnFarEnd(0);
    }

    /// <summary>
    /// Answers re-INVITEs, UPDATEs and, in the early dialog, PRACKs that carry a new offer (RFC 3262
    /// §5, RFC 3311) through the same offer/answer session (hold, resume, codec change). An offer
    /// that cannot be used gets 488 and the session stays as it was.
    /// </summary>
    private void OnInDialogRequest(SipIncomingRequest incoming)
    {
        var request = incoming.Request;
        try
        {
            switch (request.Method)
            {
                case SipMethods.Prack when _media is { } media && !request.Body.IsEmpty:
                    AnswerOffer(incoming, media);
                    return;
                case SipMethods.Invite or SipMethods.Update when _media is { } media:
                    if (request.Body.IsEmpty && request.Method == SipMethods.Update)
                    {
                        // An UPDATE without an offer changes nothing in the session (RFC 3311).
                        incoming.Respond(200);
                        return;
                    }

                    if (request.Body.IsEmpty)
                    {
                        // An offerless re-INVITE: we offer what we have; the answer comes in the ACK.
                        incoming.Respond(200, Encoding.UTF8.GetBytes(media.CreateOffer().ToString()), SdpType);
                        _ = ApplyAnswerFromAckAsync(incoming, media);
                        return;
                    }

                    AnswerOffer(incoming, media);
                    return;
                case SipMethods.Message or SipMethods.Notify:
                    incoming.Respond(200);
                    return;
                case SipMethods.Refer:
                    // Transfers are the handler's business (CallAndBridge), not the peer's.
                    incoming.Respond(603);
                    return;
                default:
                    incoming.Respond(405);
                    return;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            LogWatchFailed(_logger, CallId, ex);
        }
    }

    /// <summary>
    /// Answers the offer an in-dialog request carries: 200 with our answer (a new o= version when
    /// it changes anything; the RTP session takes the new codec, address and direction at once),
    /// or 488 with the old session kept. While an inbound call is still unanswered the new answer
    /// also becomes the body of the 200 OK to come, which must repeat our last description.
    /// </summary>
    private void AnswerOffer(SipIncomingRequest incoming, LegMedia media)
    {
        var request = incoming.Request;
        var parsed = SdpParser.Parse(Encoding.UTF8.GetString(request.Body.Span));
        var result = parsed.Description is { } offer ? media.Answer(offer) : null;
        if (result is not { IsSuccess: true })
        {
            LogOfferRefused(_logger, CallId, request.Method, result?.Error ?? parsed.Error ?? "unreadable SDP");
            incoming.Respond(488);
            return;
        }

        var answer = Encoding.UTF8.GetBytes(result.Answer!.ToString());
        lock (_gate)
        {
            if (Direction == LegDirection.Inbound && _dialog is { IsAnswered: false })
            {
                _answerBody = answer;
            }
        }

        incoming.Respond(200, answer, SdpType);
    }

    private async Task ApplyAnswerFromAckAsync(SipIncomingRequest incoming, LegMedia media)
    {
        var ack = await incoming.Ack.ConfigureAwait(false);
        if (ack is null)
        {
            // No ACK: the dialog ends (or already ended) and that path releases the leg.
            return;
        }

        var error = ApplyAnswer(ack, media);
        if (error is not null)
        {
            LogBadAnswer(_logger, CallId, error);
            OnFarEnd(488);
        }
    }

    /// <summary>Applies the SDP answer an ACK carries to our offer; returns why it could not, or null.</summary>
    private static string? ApplyAnswer(SipRequest? ack, LegMedia media)
    {
        if (ack is null)
        {
            return "no ACK";
        }

        if (ack.Body.IsEmpty)
        {
            return "the ACK carries no SDP answer to our offer";
        }

        var parsed = SdpParser.Parse(Encoding.UTF8.GetString(ack.Body.Span));
        return parsed.Description is { } answer ? media.ProcessAnswer(answer) : parsed.Error ?? "unreadable SDP in the ACK";
    }

    /// <summary>The far end ended the leg (BYE, CANCEL, failure, dead media), or dialing failed.</summary>
    private void OnFarEnd(int sipCode)
    {
        ILegObserver? observer;
        lock (_gate)
        {
            if (_state == LegState.Ended)
            {
                observer = null;
            }
            else
            {
                _state = LegState.Ended;
                observer = _endedByEngine ? null : _observer;
                if (observer is null && !_endedByEngine)
                {
                    _endBeforeAttach = sipCode;
                }
            }
        }

        // Report first, so the engine sees the hang-up before playback stops.
        observer?.OnEnded(this, sipCode);
        Release();
    }

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "INVITE {SipCallId} rejected {Code}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string? sipCallId, int code, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Leg {CallId}: watching the dialog failed")]
    private static partial void LogWatchFailed(ILogger logger, string callId, Exception ex);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Leg {CallId}: {Method} offer refused with 488: {Reason}")]
    private static partial void LogOfferRefused(ILogger logger, string callId, string method, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Leg {CallId}: no RTP for {Timeout}; ending the call")]
    private static partial void LogInactive(ILogger logger, string callId, TimeSpan timeout);
}
