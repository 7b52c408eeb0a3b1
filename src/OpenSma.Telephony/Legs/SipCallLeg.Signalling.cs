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

    /// <summary>
    /// Takes an incoming INVITE: binds ports and answers its SDP offer (not sent yet). On failure
    /// the INVITE is rejected here (488 no usable offer, 503 no RTP port) and null is returned.
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
        SessionDescription? offer = null;
        string? problem = null;
        if (invite.Body.IsEmpty)
        {
            problem = "INVITE without an SDP offer";
        }
        else
        {
            var parsed = SdpParser.Parse(Encoding.UTF8.GetString(invite.Body.Span));
            offer = parsed.Description;
            problem = parsed.Error;
        }

        if (offer is null)
        {
            rejectedWith = 488;
            LogRejected(logger, invite.CallId, 488, problem ?? "unreadable SDP");
            dialog.Reject(488, "Not Acceptable Here");
            return null;
        }

        var media = plane.TryOpenLeg();
        if (media is null)
        {
            rejectedWith = 503;
            LogRejected(logger, invite.CallId, 503, "no free RTP port");
            dialog.Reject(503, "No Media Port Available");
            return null;
        }

        var result = media.Answer(offer);
        if (!result.IsSuccess)
        {
            media.Dispose();
            rejectedWith = 488;
            LogRejected(logger, invite.CallId, 488, result.Error ?? "no common codec");
            dialog.Reject(488, "Not Acceptable Here");
            return null;
        }

        var leg = new SipCallLeg(plane, media, LegDirection.Inbound, from, to, sipHeaders, logger)
        {
            _answerBody = Encoding.UTF8.GetBytes(result.Answer!.ToString()),
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
            if (Direction == LegDirection.Inbound && _state == LegState.Alerting && !_earlyMediaSent && _dialog is { IsAnswered: false } d)
            {
                _earlyMediaSent = true;
                earlyDialog = d;
            }
        }

        earlyDialog?.Ring(183, _answerBody, SdpType);
        media.StartSending();
    }

    /// <summary>Follows the dialog, the received digits and the RTP inactivity watch.</summary>
    private void StartWatching()
    {
        var dialog = _dialog!;
        _ = WatchDialogAsync(dialog);
        if (_media is { } media)
        {
            _ = WatchDigitsAsync(media);
            _ = WatchInactivityAsync(media);
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
                        _media?.Session.Digits.OnSipInfo(dtmf.Digit);
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

    private async Task WatchDigitsAsync(LegMedia media)
    {
        try
        {
            await foreach (var digit in media.Session.Digits.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                ILegObserver? observer;
                lock (_gate)
                {
                    observer = _state == LegState.Ended ? null : _observer;
                }

                observer?.OnDigit(this, digit.Digit);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WatchInactivityAsync(LegMedia media)
    {
        try
        {
            await media.Session.PeerInactive.WaitAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        LogInactive(_logger, CallId, _plane.Options.RtpInactivityTimeout);
        // Release sends BYE (or 480 if never answered); the engine hears a normal clearing.
        OnFarEnd(0);
    }

    /// <summary>Answers re-INVITEs and UPDATEs through the same offer/answer session (hold, resume, codec change).</summary>
    private void OnInDialogRequest(SipIncomingRequest incoming)
    {
        var request = incoming.Request;
        try
        {
            switch (request.Method)
            {
                case SipMethods.Invite or SipMethods.Update when _media is { } media:
                    if (request.Body.IsEmpty)
                    {
                        // An offerless re-INVITE: we offer what we have; the answer comes in the ACK.
                        incoming.Respond(200, Encoding.UTF8.GetBytes(media.CreateOffer().ToString()), SdpType);
                        return;
                    }

                    var parsed = SdpParser.Parse(Encoding.UTF8.GetString(request.Body.Span));
                    var result = parsed.Description is { } offer ? media.Answer(offer) : null;
                    if (result is { IsSuccess: true })
                    {
                        incoming.Respond(200, Encoding.UTF8.GetBytes(result.Answer!.ToString()), SdpType);
                    }
                    else
                    {
                        incoming.Respond(488);
                    }

                    return;
                case SipMethods.Info or SipMethods.Message or SipMethods.Notify:
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

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Leg {CallId}: no RTP for {Timeout}; ending the call")]
    private static partial void LogInactive(ILogger logger, string callId, TimeSpan timeout);
}
