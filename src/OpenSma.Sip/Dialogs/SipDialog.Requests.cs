using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Dialogs;

/// <summary>Requests we send inside the dialog: BYE, re-INVITE, UPDATE, INFO, REFER, NOTIFY.</summary>
public sealed partial class SipDialog
{
    private bool _reInviteOutstanding;

    // What resending our last ACK for a 2xx needs (each copy of that 2xx gets the same ACK again,
    // RFC 3261 §13.2.2.4): its CSeq number, body and top Via, not the ACK itself, which a confirmed
    // call would otherwise hold for its whole life. The ACK is rebuilt from the dialog when needed.
    // Null until we send one (a UAS dialog never does).
    private SentAck? _ack;

    private sealed class SentAck(long seq, ReadOnlyMemory<byte> body, string? contentType)
    {
        public long Seq { get; } = seq;

        public ReadOnlyMemory<byte> Body { get; } = body;

        public string? ContentType { get; } = contentType;

        public string? Via { get; set; }
    }

    /// <summary>How often a re-INVITE or UPDATE met by 491 (glare) is sent again before the 491 is returned.</summary>
    internal const int GlareRetries = 3;

    /// <summary>
    /// Sends an in-dialog request and returns its final response (a local 408 or 503 when the
    /// peer is unreachable). A 2xx to a re-INVITE is ACKed here. A re-INVITE or UPDATE answered
    /// 491 (both sides changed the session at once) is sent again after the delay of RFC 3261
    /// §14.1, up to three times; then, or once the token is cancelled, the 491 is returned.
    /// </summary>
    public Task<SipResponse> SendRequestAsync(string method, ReadOnlyMemory<byte> body = default, string? contentType = null, IEnumerable<SipHeader>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        var done = new TaskCompletionSource<SipResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_ua.Core.Gate)
        {
            if (State == SipDialogState.Terminated)
            {
                throw new InvalidOperationException("The dialog has ended.");
            }

            var fixedHeaders = headers?.ToList();
            SendRetryingGlare(method, body, contentType, fixedHeaders, GlareRetries, done, cancellationToken);
        }

        return done.Task;
    }

    private void SendRetryingGlare(string method, ReadOnlyMemory<byte> body, string? contentType, List<SipHeader>? headers, int retriesLeft,
        TaskCompletionSource<SipResponse> done, CancellationToken cancellationToken)
    {
        SendInDialog(method, body, contentType, headers, response =>
        {
            if (response.StatusCode != 491 || retriesLeft == 0 || method is not (SipMethods.Invite or SipMethods.Update)
                || cancellationToken.IsCancellationRequested || State != SipDialogState.Confirmed)
            {
                done.TrySetResult(response);
                return;
            }

            var wait = new Transactions.TransactionTimer(_ua.Core.Time, _ua.Core.Gate);
            wait.Start(GlareDelay(), () =>
            {
                wait.Dispose();
                if (cancellationToken.IsCancellationRequested || State != SipDialogState.Confirmed)
                {
                    done.TrySetResult(response);
                    return;
                }

                SendRetryingGlare(method, body, contentType, headers, retriesLeft - 1, done, cancellationToken);
            });
        });
    }

    /// <summary>
    /// RFC 3261 §14.1: the side that made the Call-ID (the caller) waits 2.1 to 4 s, the other 0 to
    /// 2 s, in 10 ms steps, so that the two retries do not collide again.
    /// </summary>
    private TimeSpan GlareDelay() =>
        TimeSpan.FromMilliseconds(10 * (Role == SipDialogRole.Uac ? Random.Shared.Next(210, 401) : Random.Shared.Next(0, 201)));

    /// <summary>Sends an in-dialog request and calls <paramref name="onFinal"/> (under the gate) with its final response.</summary>
    internal void SendInDialog(string method, ReadOnlyMemory<byte> body, string? contentType, IEnumerable<SipHeader>? headers, Action<SipResponse> onFinal)
    {
        var request = NewRequest(method);
        foreach (var h in headers ?? [])
        {
            request.Headers.Add(h.Name, h.Value);
        }

        if (contentType is not null)
        {
            request.Headers.Add(SipHeaderNames.ContentType, contentType);
        }

        request.Body = body;
        var isInvite = method == SipMethods.Invite;
        if (isInvite)
        {
            _reInviteOutstanding = true;
            RememberLocalBody(body, contentType);
        }

        Send(request, (tx, response) =>
        {
            if (response.IsProvisional)
            {
                return;
            }

            if (isInvite)
            {
                _reInviteOutstanding = false;
                if (response.IsSuccess)
                {
                    RefreshTarget(response);
                    SendAck(tx.Request, response);
                }
            }

            if (response.StatusCode is 481 or 408 && method != SipMethods.Bye)
            {
                // RFC 3261 §12.2.1.2: the peer no longer knows the dialog.
                Terminate(SipEndReason.Lost, response.StatusCode);
            }

            onFinal(response);
        });
    }

    /// <summary>Ends the call: BYE when confirmed, CANCEL or a 487 while early.</summary>
    public Task HangUpAsync(CancellationToken cancellationToken = default)
    {
        lock (_ua.Core.Gate)
        {
            switch (State)
            {
                case SipDialogState.Terminated:
                    return Task.CompletedTask;
                case SipDialogState.Early when Role == SipDialogRole.Uas:
                    Reject(480);
                    return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            SendBye(() => done.TrySetResult());
            return done.Task;
        }
    }

    /// <summary>Sends BYE and terminates at once: a BYE's outcome does not change that the call is over.</summary>
    internal void SendBye(Action? onFinal = null, SipEndReason reason = SipEndReason.LocalHangUp)
    {
        var bye = NewRequest(SipMethods.Bye);
        Terminate(reason);
        Send(bye, (_, response) =>
        {
            if (response.IsFinal)
            {
                onFinal?.Invoke();
            }
        });
    }

    private void Send(SipRequest request, Action<ClientTransaction, SipResponse> onResponse)
    {
        var hop = NextHop();
        var tx = hop is null ? null : _ua.Core.SendRequest(request, hop, onResponse);
        if (tx is null)
        {
            onResponse(null!, SipResponses.Create(request, 503, "No Route To Destination"));
        }
    }

    /// <summary>ACK for a 2xx: a new transaction-less request with the INVITE's CSeq number (RFC 3261 §13.2.2.4).</summary>
    internal void SendAck(SipRequest invite, SipResponse response, SipBody? body = null)
    {
        _ack = new SentAck(invite.CSeq!.Value.Number, body?.Content ?? default, body?.ContentType);
        if (body is { } answer)
        {
            // RFC 3261 §13.2.1: the answer to an offer made in the 2xx travels in the ACK.
            RememberLocalBody(answer.Content, answer.ContentType);
        }

        if (NextHop() is { } hop)
        {
            var ack = BuildAck(_ack);
            _ua.Core.SendAck(ack, hop);
            _ack.Via = ack.Headers.Get(SipHeaderNames.Via);
        }
    }

    /// <summary>A retransmitted 2xx means our ACK was lost: send the same ACK again (same Via and branch, same body).</summary>
    internal void ResendAck()
    {
        if (_ack is { Via: { } via } sent && NextHop() is { } hop)
        {
            var ack = BuildAck(sent);
            ack.Headers.AddFirst(SipHeaderNames.Via, via);
            _ua.Core.ResendAck(ack, hop);
        }
    }

    private SipRequest BuildAck(SentAck sent)
    {
        var ack = NewRequest(SipMethods.Ack, sent.Seq);
        if (sent.ContentType is not null)
        {
            ack.Headers.Add(SipHeaderNames.ContentType, sent.ContentType);
            ack.Body = sent.Body;
        }

        return ack;
    }
}
