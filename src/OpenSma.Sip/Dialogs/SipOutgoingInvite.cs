using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Dialogs;

/// <summary>
/// The UAC side of one INVITE: provisional reports, one digest retry, CANCEL, the race where
/// a 2xx arrives after our CANCEL (the 2xx is ACKed, then the call is ended with BYE), and
/// RFC 3263 §4.3 failover: a transport error, a timeout or a 503 before any provisional response
/// moves the INVITE (new transaction, new branch) to the next resolved target.
/// </summary>
internal sealed class SipOutgoingInvite
{
    private readonly SipUserAgent _ua;
    private readonly SipInviteOptions _options;
    private readonly IReadOnlyList<SipRemote> _targets;
    private int _targetIndex;
    private readonly TaskCompletionSource<SipInviteResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientInviteTransaction? _transaction;
    private SipRemote? _flow;
    private bool _authTried;
    private bool _intervalRaised;
    private bool _offerAnswered;
    private SipBody? _answerInPrack;
    private bool _cancelRequested;
    private bool _cancelSent;
    private bool _provisionalSeen;
    private SipDialog? _dialog;
    private long _localSeq = 1;
    private long _lastRSeq = -1;

    // Our early dialogs by the callee's To-tag (one per fork, RFC 3261 §12.1.2): each keeps its own
    // offer/answer state (RFC 3262 §5) and takes the callee's UPDATEs (RFC 3311) until the final response.
    private readonly Dictionary<string, SipDialog> _early = new(StringComparer.Ordinal);

    public SipOutgoingInvite(SipUserAgent ua, SipInviteOptions options, IReadOnlyList<SipRemote> targets)
    {
        _ua = ua;
        _options = options;
        _targets = targets;
    }

    public Task<SipInviteResult> Result => _result.Task;

    public string LocalTag { get; } = SipRequests.NewToken(10);

    public void Start(SipRequest invite)
    {
        _flow = _targets.Count > 0 ? _targets[0] : null;
        if (_flow is null)
        {
            _result.TrySetResult(new SipInviteResult(null, SipResponses.Create(invite, 503, "No Route To Destination")));
            return;
        }

        Send(invite);
    }

    private void Send(SipRequest invite)
    {
        _localSeq = Math.Max(_localSeq, invite.CSeq!.Value.Number);
        _transaction = (ClientInviteTransaction)_ua.Core.SendRequest(invite, _flow!, OnResponse);
    }

    /// <summary>Cancels the attempt. Per RFC 3261 §9.1 the CANCEL waits for a provisional response.</summary>
    public void Cancel()
    {
        if (_result.Task.IsCompleted)
        {
            return;
        }

        _cancelRequested = true;
        if (_provisionalSeen)
        {
            SendCancel();
        }
    }

    private void SendCancel()
    {
        if (_cancelSent || _transaction is null)
        {
            return;
        }

        _cancelSent = true;
        var cancel = SipRequests.Cancel(_transaction.Request);
        _ua.Core.SendWithExistingVia(cancel, _transaction.Remote, (_, _) => { });
    }

    private void OnResponse(ClientTransaction tx, SipResponse response)
    {
        if (response.IsProvisional)
        {
            _provisionalSeen = true;
            var early = response.StatusCode > 100 ? EarlyDialog(tx.Request, response) : null;
            if (IsReliable(response) && early is not null && !Acknowledge(tx.Request, response, early))
            {
                // A repeated reliable provisional: its PRACK transaction takes care of it.
                return;
            }

            if (_cancelRequested)
            {
                SendCancel();
                return;
            }

            _options.OnProvisional?.Invoke(response);
            return;
        }

        if (response.IsSuccess)
        {
            OnSuccess(tx, response);
            return;
        }

        // The early dialogs end with a failure, whatever follows (another target, a retry with
        // credentials or a longer session interval starts afresh).
        EndEarlyDialogs();

        if (ShouldFailOver(tx, response))
        {
            _targetIndex++;
            _flow = _targets[_targetIndex];
            _provisionalSeen = false;
            var next = tx.Request.Clone();
            next.Headers.Remove(SipHeaderNames.Via);
            next.Headers.Set(SipHeaderNames.Contact, _ua.ContactFor(_flow, next.From?.Uri.User).ToString());
            Send(next);
            return;
        }

        if (response.StatusCode == 422 && !_intervalRaised && !_cancelRequested && RaiseSessionInterval(tx.Request, response) is { } longer)
        {
            _intervalRaised = true;
            Send(longer);
            return;
        }

        if (response.StatusCode is 401 or 407 && !_authTried && !_cancelRequested && _options.Credentials is { } credentials
            && SipDigestClient.Authorize(tx.Request, response, credentials) is { } retry)
        {
            _authTried = true;
            Send(retry);
            return;
        }

        _result.TrySetResult(new SipInviteResult(null, response));
    }

    private void OnSuccess(ClientTransaction tx, SipResponse response)
    {
        var remoteTag = response.To?.Tag ?? string.Empty;
        if (_dialog is not null)
        {
            if (remoteTag == _dialog.RemoteTag)
            {
                // The 2xx was retransmitted: our ACK was lost.
                _dialog.ResendAck();
                return;
            }

            // A second 2xx from another fork: confirm it and end it at once (RFC 3261 §13.2.2.4).
            var extra = _ua.CreateUacDialog(tx.Request, response, LocalTag, _flow!);
            var forkAnswer = tx.Request.Body.IsEmpty && !response.Body.IsEmpty ? _options.AnswerOffer?.Invoke(response) : null;
            extra.SendAck(tx.Request, response, forkAnswer);
            extra.SendBye();
            return;
        }

        var answerBody = response.Body;
        if (_early.Remove(remoteTag, out var early))
        {
            // The 2xx confirms the early dialog of its To-tag, with the session it negotiated.
            early.ConfirmUacEarly(response);
            _dialog = early;
            if (!early.RemoteBody.IsEmpty && SipSessionVersion.IsOlder(response.Body.Span, early.RemoteBody.Span))
            {
                // The callee repeats a description it has since replaced (by UPDATE or a later
                // reliable provisional): the session stays the newer one (RFC 6337 §3.1).
                answerBody = early.RemoteBody;
            }
        }
        else
        {
            _dialog = _ua.CreateUacDialog(tx.Request, response, LocalTag, _flow!);
            if (_answerInPrack is { } prackAnswer)
            {
                // Our session description is the answer a PRACK carried: refreshes offer it again.
                _dialog.RememberLocalBody(prackAnswer.Content, prackAnswer.ContentType);
            }
        }

        // The other forks' early dialogs end here; a 2xx from one of them later is ACKed and ended.
        EndEarlyDialogs();
        _dialog.ContinueLocalSeq(_localSeq);

        _dialog.SendAck(tx.Request, response, AnswerFor(tx.Request, response));
        if (_cancelRequested)
        {
            // CANCEL lost the race with the 2xx: the call exists now, so ACK it and hang up.
            _dialog.SendBye();
            _result.TrySetResult(new SipInviteResult(null, response));
            return;
        }

        _dialog.Confirm();
        if (SipSessionExpires.From(response) is { } session)
        {
            _dialog.UseSessionTimer(session with { Refresher = session.Refresher ?? "uac" });
            _dialog.RestartSessionTimer();
        }

        _dialog.Emit(new SipDialogConfirmed());
        _result.TrySetResult(new SipInviteResult(_dialog, response) { AnswerBody = answerBody });
    }

    /// <summary>
    /// Our answer when the INVITE had no offer and this response (a reliable provisional or the
    /// 2xx) brings the callee's, unless an earlier reliable provisional's offer was already answered.
    /// </summary>
    private SipBody? AnswerFor(SipRequest invite, SipResponse response)
    {
        if (!invite.Body.IsEmpty || response.Body.IsEmpty || _offerAnswered || _options.AnswerOffer is not { } answer)
        {
            return null;
        }

        var body = answer(response);
        _offerAnswered = body is not null;
        return body;
    }

    /// <summary>The early dialog of this provisional response's To-tag, made on the first response that names it.</summary>
    private SipDialog EarlyDialog(SipRequest invite, SipResponse response)
    {
        var tag = response.To?.Tag ?? string.Empty;
        if (!_early.TryGetValue(tag, out var early))
        {
            early = _ua.CreateUacDialog(invite, response, LocalTag, _flow!);
            early.BeginUacEarly(_options.AnswerEarlyOffer);
            _early[tag] = early;
        }

        return early;
    }

    private void EndEarlyDialogs()
    {
        foreach (var early in _early.Values)
        {
            early.Terminate(SipEndReason.Rejected);
        }

        _early.Clear();
    }

    /// <summary>
    /// What the PRACK for a reliable provisional with a body carries (RFC 3262 §5): our answer when
    /// it brings the callee's first offer (the INVITE had none), nothing when it answers our INVITE's
    /// offer or repeats the last description, and, once the first exchange in that early dialog
    /// has completed, the application's answer (<see cref="SipInviteOptions.AnswerEarlyOffer"/>)
    /// when its session version differs from the callee's last one (reliable provisional or
    /// UPDATE): a new offer. An older version than that last one is a stale repeat, not an offer.
    /// </summary>
    private SipBody? EarlyAnswerFor(SipRequest invite, SipResponse response, SipDialog early)
    {
        if (response.Body.IsEmpty)
        {
            return null;
        }

        SipBody? answer = null;
        if (!early.UacExchangeDone)
        {
            if (invite.Body.IsEmpty)
            {
                answer = AnswerFor(invite, response);
                early.UacExchangeDone = answer is not null;
            }
            else
            {
                // The answer to our INVITE's offer.
                early.UacExchangeDone = true;
            }
        }
        else if (SipSessionVersion.IsOlder(response.Body.Span, early.RemoteBody.Span))
        {
            return null;
        }
        else if (!SipSessionVersion.SameVersion(response.Body.Span, early.RemoteBody.Span))
        {
            answer = _options.AnswerEarlyOffer?.Invoke(response);
        }

        early.RemoteBody = response.Body;
        if (answer is { } ours)
        {
            // Our answer is the session we now describe in this dialog: a refresh offers it again.
            early.RememberLocalBody(ours.Content, ours.ContentType);
        }

        return answer;
    }

    /// <summary>
    /// RFC 4028 §7.4: a 422 says our Session-Expires is below the callee's Min-SE. The INVITE is
    /// sent again (new transaction, next CSeq) with the interval raised to it and Min-SE set, once.
    /// </summary>
    private static SipRequest? RaiseSessionInterval(SipRequest invite, SipResponse response)
    {
        if (SipSessionExpires.From(invite) is not { } asked
            || response.Headers.Get(SipHeaderNames.MinSE)?.Split(';')[0].Trim() is not { } text
            || !int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minimum)
            || minimum <= asked.Seconds)
        {
            return null;
        }

        var retry = invite.Clone();
        retry.Headers.Remove(SipHeaderNames.Via);
        var cseq = invite.CSeq!.Value;
        retry.Headers.Set(SipHeaderNames.CSeq, new SipCSeq(cseq.Number + 1, cseq.Method).ToString());
        retry.Headers.Set(SipHeaderNames.SessionExpires, (asked with { Seconds = minimum }).ToString());
        retry.Headers.Set(SipHeaderNames.MinSE, minimum.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return retry;
    }

    /// <summary>RFC 3263 §4.3: this target failed before it took the call on, and another one is left.</summary>
    private bool ShouldFailOver(ClientTransaction tx, SipResponse response) =>
        !_cancelRequested && !_provisionalSeen && _targetIndex + 1 < _targets.Count
        && (response.StatusCode == 503 || (tx.FailedLocally && response.StatusCode == 408));

    private static bool IsReliable(SipResponse response) =>
        response.StatusCode > 100 && response.HasOptionTag(SipHeaderNames.Require, "100rel") && response.Headers.Contains(SipHeaderNames.RSeq);

    /// <summary>
    /// PRACK for a reliable provisional (RFC 3262 §4), sent in the early dialog it creates.
    /// Returns false for a repeat (RSeq not above the last one acknowledged).
    /// </summary>
    private bool Acknowledge(SipRequest invite, SipResponse response, SipDialog early)
    {
        if (!long.TryParse(response.Headers.Get(SipHeaderNames.RSeq)?.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var rseq)
            || rseq <= _lastRSeq)
        {
            return false;
        }

        _lastRSeq = rseq;
        var prack = new SipRequest(SipMethods.Prack, response.Contacts is [var contact, ..] ? contact.Uri : invite.RequestUri);
        foreach (var route in response.RecordRoutes.Reverse())
        {
            prack.Headers.Add(SipHeaderNames.Route, route.ToString());
        }

        prack.Headers.Add(SipHeaderNames.From, invite.Headers.Get(SipHeaderNames.From)!);
        prack.Headers.Add(SipHeaderNames.To, response.Headers.Get(SipHeaderNames.To)!);
        prack.Headers.Add(SipHeaderNames.CallId, invite.CallId!);
        prack.Headers.Add(SipHeaderNames.CSeq, new SipCSeq(++_localSeq, SipMethods.Prack).ToString());
        prack.Headers.Add(SipHeaderNames.RAck, $"{rseq} {invite.CSeq!.Value}");
        if (EarlyAnswerFor(invite, response, early) is { } answer)
        {
            // RFC 3262 §5: the offer came in a reliable provisional, so the PRACK carries the answer.
            prack.Headers.Add(SipHeaderNames.ContentType, answer.ContentType);
            prack.Body = answer.Content;
            _answerInPrack = answer;
        }

        _ua.Core.SendRequest(prack, _flow!, (_, _) => { });
        return true;
    }
}
