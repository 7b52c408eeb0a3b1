using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenSma.Engine.Legs;
using OpenSma.Media.Sdp;
using OpenSma.Sip;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Telephony.Outbound;

namespace OpenSma.Telephony.Legs;

// Dialing out: plan the route, INVITE each attempt in turn (trunk failover on 408/5xx), report
// ringing and the answer, and map failures to the codes the engine reports.
public sealed partial class SipCallLeg
{
    private SipEndpoint? _endpoint;
    private ISipDialRouter? _router;
    private OutboundLegRequest? _request;
    private CancellationTokenSource? _dialing;

    // Early media from the callee: the session description (180 or 183 with SDP) that set up the
    // media before the answer, and the status it came with; a 2xx describing another session
    // version replaces it.
    private ReadOnlyMemory<byte> _earlySdp;
    private int _earlyMediaStatus;

    /// <summary>An outbound leg; ports are bound now, the INVITE goes out on <see cref="DialAsync"/>.</summary>
    internal static SipCallLeg CreateOutbound(
        OutboundLegRequest request,
        SipEndpoint endpoint,
        ISipDialRouter router,
        MediaPlane plane,
        ILogger logger)
    {
        var media = plane.TryOpenLeg();
        return new SipCallLeg(plane, media, LegDirection.Outbound, request.From, request.To, request.SipHeaders, logger)
        {
            _endpoint = endpoint,
            _router = router,
            _request = request,
        };
    }

    private ValueTask StartDialing()
    {
        lock (_gate)
        {
            if (_dialing is not null || _state != LegState.Alerting)
            {
                return ValueTask.CompletedTask;
            }

            _dialing = new CancellationTokenSource();
        }

        if (_media is null)
        {
            OnFarEnd(503);
            return ValueTask.CompletedTask;
        }

        _ = DialAsyncCore(_media, _dialing.Token);
        return ValueTask.CompletedTask;
    }

    private void CancelDialing()
    {
        CancellationTokenSource? dialing;
        lock (_gate)
        {
            dialing = _dialing;
        }

        try
        {
            dialing?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task DialAsyncCore(LegMedia media, CancellationToken cancelled)
    {
        try
        {
            var plan = await _router!.PlanAsync(_request!, cancelled).ConfigureAwait(false);
            if (plan.Attempts.Count == 0)
            {
                LogNoRoute(_logger, CallId, _request!.To, plan.FailureCode, plan.Reason ?? "no route");
                OnFarEnd(plan.FailureCode);
                return;
            }

            var offer = Encoding.UTF8.GetBytes(media.CreateOffer().ToString());
            using var ringTimeout = new CancellationTokenSource(_plane.Options.OutboundRingTimeout, _plane.Time);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancelled, ringTimeout.Token);
            SipInviteResult? result = null;
            foreach (var target in plan.Attempts)
            {
                result = await _endpoint!.InviteAsync(Options(target, offer, media), attempt.Token).ConfigureAwait(false);
                LogAttempt(_logger, CallId, target.Route, target.Target.ToString(), result.FinalResponse.StatusCode);
                if (result.IsAnswered || attempt.IsCancellationRequested || !FailsOver(result.FinalResponse.StatusCode))
                {
                    break;
                }
            }

            OnDialed(result!, media, ringTimeout.IsCancellationRequested && !cancelled.IsCancellationRequested);
        }
        catch (Exception ex)
        {
            LogDialFailed(_logger, CallId, ex);
            OnFarEnd(480);
        }
    }

    private SipInviteOptions Options(SipDialTarget target, byte[] offer, LegMedia media) => new()
    {
        Target = target.Target,
        From = target.From,
        To = target.To,
        OutboundProxy = target.OutboundProxy,
        Credentials = target.Credentials,
        Body = offer,
        ContentType = SdpType,
        Headers = [.. (SipHeaders ?? new Dictionary<string, string>()).Select(h => new SipHeader(h.Key, h.Value))],
        OnProvisional = response => OnProvisional(response, media),
        AnswerEarlyOffer = response => AnswerEarlyOffer(response, media),
    };

    /// <summary>
    /// The callee's status when its 180 or 183 carried SDP that set up media before the answer
    /// (early media: ringback or announcements), else null.
    /// </summary>
    internal int? EarlyMediaStatus
    {
        get
        {
            lock (_gate)
            {
                return _earlyMediaStatus == 0 ? null : _earlyMediaStatus;
            }
        }
    }

    /// <summary>
    /// Runs under the SIP stack's gate: a reliable provisional (RFC 3262 §5) or an UPDATE (RFC 3311)
    /// brought a new offer in the early dialog after the first exchange; our answer goes in the
    /// PRACK or the UPDATE's 200 and the RTP session follows it. An offer we cannot use leaves the
    /// session as it was (the PRACK then carries no answer; the UPDATE gets 488).
    /// </summary>
    private SipBody? AnswerEarlyOffer(SipMessage message, LegMedia media)
    {
        var parsed = SdpParser.Parse(Encoding.UTF8.GetString(message.Body.Span));
        var result = parsed.Description is { } offer ? media.Answer(offer) : null;
        if (result is not { IsSuccess: true })
        {
            var carrier = message is SipResponse response ? response.StatusCode.ToString(CultureInfo.InvariantCulture) : ((SipRequest)message).Method;
            LogEarlyOfferRefused(_logger, CallId, carrier, result?.Error ?? parsed.Error ?? "unreadable SDP");
            return null;
        }

        lock (_gate)
        {
            _earlySdp = message.Body;
        }

        return new SipBody(Encoding.UTF8.GetBytes(result.Answer!.ToString()), SdpType);
    }

    // Another route is worth trying when this one could not take the call at all.
    private static bool FailsOver(int status) => status is 408 or 500 or 502 or 503 or 504;

    /// <summary>Runs under the SIP stack's gate: note the early answer and report ringing, nothing more.</summary>
    private void OnProvisional(SipResponse response, LegMedia media)
    {
        if (response.StatusCode is not (180 or 181 or 182 or 183))
        {
            return;
        }

        if (!response.Body.IsEmpty && !media.IsNegotiated && SdpParser.Parse(Encoding.UTF8.GetString(response.Body.Span)).Description is { } early
            && media.ProcessAnswer(early) is null)
        {
            lock (_gate)
            {
                _earlySdp = response.Body;
                _earlyMediaStatus = response.StatusCode;
            }
        }

        ILegObserver? observer;
        lock (_gate)
        {
            observer = _state == LegState.Alerting ? _observer : null;
        }

        observer?.OnRinging(this);
    }

    private void OnDialed(SipInviteResult result, LegMedia media, bool ringTimedOut)
    {
        if (result.Dialog is not { } dialog)
        {
            var status = result.FinalResponse.StatusCode;
            // Our own timeouts read as no answer; the far end's codes pass through (486 busy, 603 decline, ...).
            OnFarEnd(ringTimedOut || status is 408 or 487 ? 480 : status);
            return;
        }

        bool tooLate;
        lock (_gate)
        {
            tooLate = _state == LegState.Ended;
            _dialog = dialog;
        }

        if (tooLate)
        {
            // Hung up while the 200 was on its way: the call exists now, so end it.
            _ = dialog.HangUpAsync();
            return;
        }

        if (!media.IsNegotiated)
        {
            var answer = result.AnswerBody.IsEmpty ? null : SdpParser.Parse(Encoding.UTF8.GetString(result.AnswerBody.Span)).Description;
            var error = answer is null ? "the 200 OK carries no SDP answer" : media.ProcessAnswer(answer);
            if (error is not null)
            {
                LogBadAnswer(_logger, CallId, error);
                OnFarEnd(488);
                return;
            }
        }
        else if (ChangedSinceEarlyMedia(result.AnswerBody) && SdpParser.Parse(Encoding.UTF8.GetString(result.AnswerBody.Span)).Description is { } final)
        {
            // The early SDP came in an unreliable 18x (a preview, RFC 6337 §3.1.1) or from another
            // fork: the 2xx's answer is the one that counts. Our offer is unchanged, so it is
            // offered again (same version) to take the final answer against it.
            media.CreateOffer();
            if (media.ProcessAnswer(final) is { } error)
            {
                LogBadAnswer(_logger, CallId, error);
                OnFarEnd(488);
                return;
            }
        }

        media.StartSending();
        ILegObserver? observer;
        lock (_gate)
        {
            if (_state != LegState.Alerting)
            {
                return;
            }

            _state = LegState.Connected;
            observer = _observer;
        }

        StartWatching();
        observer?.OnAnswered(this);
    }

    /// <summary>True when the 2xx carries SDP of another session version than the early media's.</summary>
    private bool ChangedSinceEarlyMedia(ReadOnlyMemory<byte> final)
    {
        ReadOnlyMemory<byte> early;
        lock (_gate)
        {
            early = _earlySdp;
        }

        return !final.IsEmpty && !early.IsEmpty && Origin(final.Span) != Origin(early.Span);
    }

    private static string? Origin(ReadOnlySpan<byte> sdp) =>
        SdpParser.Parse(Encoding.UTF8.GetString(sdp)).Description?.Origin.ToString();

    [LoggerMessage(EventId = 114, Level = LogLevel.Information, Message = "Leg {CallId}: new early offer in {Carrier} refused: {Reason}")]
    private static partial void LogEarlyOfferRefused(ILogger logger, string callId, string carrier, string reason);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Leg {CallId}: no route to {To} ({Code}: {Reason})")]
    private static partial void LogNoRoute(ILogger logger, string callId, string to, int code, string reason);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Leg {CallId}: {Route} INVITE {Target} -> {Status}")]
    private static partial void LogAttempt(ILogger logger, string callId, string route, string target, int status);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "Leg {CallId}: dialing failed")]
    private static partial void LogDialFailed(ILogger logger, string callId, Exception ex);

    [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "Leg {CallId}: unusable answer: {Error}")]
    private static partial void LogBadAnswer(ILogger logger, string callId, string error);
}
