using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Dialogs;

/// <summary>The UAS side of the initial INVITE: ring, answer, reject, and CANCEL.</summary>
public sealed partial class SipDialog
{
    // The INVITE's server transaction while the dialog may still answer it or see its ACK; let go
    // of at the ACK for our 2xx (the transaction layer keeps it for its own timers, then drops it).
    private ServerInviteTransaction? _inviteTransaction;
    private bool _inviteAnswered;

    // AnswerAsync's task until it completes; then only whether the ACK came is kept.
    private TaskCompletionSource<bool>? _answered;
    private bool _ackReceived;
    private TaskCompletionSource<SipRequest?>? _initialAck;

    // The ACK for our 2xx, kept for a late InitialAck only when it carries the answer (the INVITE
    // had no offer); handed to the InitialAck task, the one place it then stays.
    private SipRequest? _initialAckRequest;

    /// <summary>The initial INVITE's server transaction (UAS dialogs only).</summary>
    internal ServerInviteTransaction? InviteTransaction => _inviteTransaction;

    internal void AttachInvite(ServerInviteTransaction transaction)
    {
        _inviteTransaction = transaction;
        transaction.AckTimedOut = _ => OnAckTimeout();
    }

    /// <summary>True once a final response to the initial INVITE has been sent.</summary>
    public bool IsAnswered => _inviteAnswered;

    /// <summary>Sends a provisional response: 180 Ringing, or 183 Session Progress with an early-media body.</summary>
    public void Ring(int statusCode = 180, ReadOnlyMemory<byte> body = default, string? contentType = null)
    {
        if (statusCode is < 101 or > 199)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), "A provisional status is 101 to 199.");
        }

        lock (_ua.Core.Gate)
        {
            if (statusCode > 100 && PeerRequiresReliableProvisionals)
            {
                // RFC 3262 §3: the caller requires 100rel, so every provisional but 100 is reliable.
                if (State == SipDialogState.Early && !IsAnswered && _heldAnswer is null)
                {
                    QueueReliable(statusCode, body, contentType);
                }

                return;
            }

            RespondToInvite(statusCode, body, contentType);
        }
    }

    /// <summary>
    /// Answers 200 OK with our Contact and the given body. Completes true when the ACK arrives,
    /// false when the caller cancelled first or never ACKed (then BYE has been sent).
    /// </summary>
    public Task<bool> AnswerAsync(ReadOnlyMemory<byte> body = default, string? contentType = null, CancellationToken cancellationToken = default)
    {
        lock (_ua.Core.Gate)
        {
            if (State != SipDialogState.Early || IsAnswered || _heldAnswer is not null)
            {
                return Task.FromResult(false);
            }

            if (!_localBody.IsEmpty && SipSessionVersion.IsOlder(body.Span, _localBody.Span))
            {
                // A PRACK or UPDATE renegotiated the session after the application built this
                // answer: the 2xx repeats the latest description we gave (RFC 6337 §3.1), never an older one.
                body = _localBody;
                contentType = _localContentType;
            }

            _answered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (MustHoldAnswer())
            {
                // RFC 3262 §3: the early SDP must be PRACKed before the 2xx goes out.
                _heldAnswer = (body, contentType);
            }
            else
            {
                SendAnswer(body, contentType);
            }

            return _answered.Task;
        }
    }

    private void SendAnswer(ReadOnlyMemory<byte> body, string? contentType)
    {
        RespondToInvite(200, body, contentType);
        RememberLocalBody(body, contentType);
        Confirm();
        RestartSessionTimer();
    }

    /// <summary>
    /// Declines the INVITE with a final failure status (486 Busy Here, 603 Decline, ...), with
    /// any extra headers the status calls for (Retry-After, Contact of a 3xx, Warning, ...).
    /// </summary>
    public void Reject(int statusCode, string? reasonPhrase = null, IEnumerable<SipHeader>? headers = null)
    {
        if (statusCode < 300)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), "A rejection is 300 or above.");
        }

        lock (_ua.Core.Gate)
        {
            if (State != SipDialogState.Early || IsAnswered)
            {
                return;
            }

            RespondToInvite(statusCode, default, null, reasonPhrase, headers);
            Terminate(SipEndReason.Rejected, statusCode);
        }
    }

    /// <summary>
    /// Rejects the INVITE with a digest challenge for <paramref name="realm"/> (RFC 3261 §22.2):
    /// 401 with WWW-Authenticate, or with <paramref name="proxy"/> 407 with Proxy-Authenticate.
    /// Pass the failed <see cref="SipAuthResult"/> so an old or replayed nonce is answered with
    /// stale=true. The caller retries with a new INVITE, which arrives as a new incoming call;
    /// check it with <see cref="SipDigestVerifier.Verify"/> using the same verifier and realm.
    /// </summary>
    public void RejectWithChallenge(SipDigestVerifier verifier, string realm, SipAuthResult result = default, bool proxy = false)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(realm);
        var name = proxy ? SipHeaderNames.ProxyAuthenticate : SipHeaderNames.WwwAuthenticate;
        var headers = verifier.CreateChallenges(realm, result.NeedsStaleChallenge).Select(v => new SipHeader(name, v)).ToList();
        Reject(proxy ? 407 : 401, reasonPhrase: null, headers);
    }

    private void RespondToInvite(int statusCode, ReadOnlyMemory<byte> body, string? contentType, string? reason = null, IEnumerable<SipHeader>? extraHeaders = null)
    {
        var tx = _inviteTransaction ?? throw new InvalidOperationException("Only a UAS dialog answers the INVITE.");
        var response = SipResponses.Create(tx.Request, statusCode, reason, LocalTag);
        if (statusCode < 300)
        {
            response.Headers.Add(SipHeaderNames.Contact, _ua.ContactFor(Flow, LocalParty.Uri.User).ToString());
            foreach (var rr in tx.Request.Headers.GetFields(SipHeaderNames.RecordRoute))
            {
                response.Headers.Add(SipHeaderNames.RecordRoute, rr);
            }

            response.Headers.Add(SipHeaderNames.Allow, Core.SipCapabilities.Allow);
            if (statusCode >= 200)
            {
                AddSessionHeaders(response, tx.Request);
            }
        }

        foreach (var h in extraHeaders ?? [])
        {
            response.Headers.Add(h.Name, h.Value);
        }

        if (contentType is not null)
        {
            response.Headers.Add(SipHeaderNames.ContentType, contentType);
        }

        response.Headers.Add(SipHeaderNames.Server, _ua.Core.UserAgent);
        response.Body = body;
        tx.Respond(response);
        _inviteAnswered = tx.LastResponse is { IsFinal: true };
    }

    /// <summary>The caller's CANCEL matched our pending INVITE: answer it 487 (RFC 3261 §9.2).</summary>
    internal void OnCancel()
    {
        if (IsAnswered || State != SipDialogState.Early)
        {
            // Too late: the 2xx already went out, and the caller must ACK then BYE.
            return;
        }

        RespondToInvite(487, default, null);
        _answered?.TrySetResult(false);
        Terminate(SipEndReason.Cancelled, 487);
    }

    /// <summary>
    /// Completes with the ACK for our 2xx to the initial INVITE (UAS dialogs), or null when the call
    /// ended without one. When the INVITE carried no offer, our 2xx carried it and this ACK's body
    /// is the caller's answer (RFC 3261 §13.2.1, RFC 3264); that ACK is kept for whoever asks, at
    /// any time. When the INVITE carried the offer the ACK says nothing more about the session, and
    /// the dialog does not keep it (every live call would hold it for nothing): it reaches readers
    /// that asked before it arrived and <see cref="SipDialogConfirmed.Ack"/>; a later read
    /// completes with null. A UAC dialog completes with null.
    /// </summary>
    public Task<SipRequest?> InitialAck
    {
        get
        {
            lock (_ua.Core.Gate)
            {
                // Made on first use: most calls never ask.
                _initialAck ??= new TaskCompletionSource<SipRequest?>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (AckReceived || State == SipDialogState.Terminated || Role == SipDialogRole.Uac)
                {
                    _initialAck.TrySetResult(_initialAckRequest);
                    _initialAckRequest = null;
                }

                return _initialAck.Task;
            }
        }
    }

    private bool AckReceived => _ackReceived;

    /// <summary>The ACK for our 2xx to the initial INVITE (and its copies, when our 2xx was resent).</summary>
    internal void OnInitialAck(SipRequest ack)
    {
        if (_answered?.TrySetResult(true) == true)
        {
            // Only the first copy counts: the later ones find the flag set and nothing left to do.
            _ackReceived = true;
            _answered = null;
            if (_inviteTransaction is { } tx)
            {
                tx.OnAckFor2xx();
                _ua.ReleaseInvite(tx, this);
                _inviteTransaction = null;
            }

            if (_initialAck is not null)
            {
                _initialAck.TrySetResult(ack);
            }
            else if (InitialInvite.Body.IsEmpty)
            {
                _initialAckRequest = ack;
            }

            Emit(new SipDialogConfirmed { Ack = ack });
        }
    }

    private void OnAckTimeout()
    {
        if (State != SipDialogState.Confirmed || _answered?.Task.IsCompleted != false)
        {
            return;
        }

        // RFC 3261 §13.3.1.4: no ACK within 64*T1, so the dialog is torn down with BYE.
        _answered.TrySetResult(false);
        SendBye(reason: SipEndReason.AckTimeout);
    }

    partial void OnTerminated()
    {
        _answered?.TrySetResult(false);
        _initialAck?.TrySetResult(null);
        _incomingReInviteRequest?.CompleteAck(null);
        _heldAnswer = null;
        StopReliable();
        StopSessionTimer();
    }
}
