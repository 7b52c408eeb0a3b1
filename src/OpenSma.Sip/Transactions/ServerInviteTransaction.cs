using OpenSma.Sip.Messages;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Transactions;

/// <summary>
/// INVITE server transaction (RFC 3261 §17.2.1 with RFC 6026). Non-2xx finals are retransmitted
/// on timer G until the ACK (timer H bounds the wait, timer I absorbs ACK copies). A 2xx moves it
/// to Accepted: the 2xx is retransmitted on the same schedule until the dialog reports the ACK,
/// and timer L bounds that; if it expires unacknowledged the user is told so it can send BYE.
/// Once the ACK came, INVITE copies are absorbed without a response (the peer acknowledged the
/// final response, so it has it) and only that response's status line is kept for the rest of
/// the transaction's life (see <see cref="ServerTransaction.LastResponse"/>).
/// </summary>
public sealed class ServerInviteTransaction : ServerTransaction
{
    private readonly TransactionTimer _timerG;
    private readonly TransactionTimer _timerH;
    private readonly TransactionTimer _timerI;
    private TimeSpan _interval;
    private bool _acked;

    internal ServerInviteTransaction(SipTransactionLayer layer, string key, SipRequest request, SipRemote remote)
        : base(layer, key, request, remote)
    {
        _timerG = NewTimer();
        _timerH = NewTimer();
        _timerI = NewTimer();
        State = SipTransactionState.Proceeding;
    }

    /// <summary>Raised (under the stack gate) when a 2xx was never acknowledged within 64*T1.</summary>
    public Action<ServerInviteTransaction>? AckTimedOut { get; set; }

    /// <summary>Raised when a non-2xx final was never acknowledged (timer H).</summary>
    public Action<ServerInviteTransaction>? Non2xxAckTimedOut { get; set; }

    public override void Respond(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (State != SipTransactionState.Proceeding)
        {
            return;
        }

        LastResponse = response;
        Send(response);
        if (response.IsProvisional)
        {
            return;
        }

        State = response.IsSuccess ? SipTransactionState.Accepted : SipTransactionState.Completed;
        _interval = Timers.T1;
        if (!Reliable)
        {
            _timerG.Start(_interval, Retransmit);
        }

        _timerH.Start(Timers.TransactionTimeout, OnTimerHOrL);
    }

    private void Retransmit()
    {
        if (State is not (SipTransactionState.Completed or SipTransactionState.Accepted) || _acked)
        {
            return;
        }

        Send(LastResponse!);
        _interval = TimeSpan.FromTicks(Math.Min((_interval * 2).Ticks, Timers.T2.Ticks));
        _timerG.Start(_interval, Retransmit);
    }

    private void OnTimerHOrL()
    {
        var unacknowledged = !_acked;
        var wasSuccess = State == SipTransactionState.Accepted;
        Terminate();
        if (unacknowledged && wasSuccess)
        {
            AckTimedOut?.Invoke(this);
        }
        else if (unacknowledged)
        {
            Non2xxAckTimedOut?.Invoke(this);
        }
    }

    internal override void OnRetransmission(SipRequest request)
    {
        if (request.IsAck)
        {
            if (State == SipTransactionState.Completed)
            {
                _acked = true;
                _timerG.Stop();
                _timerH.Stop();
                State = SipTransactionState.Confirmed;
                KeepOnlyStatusLine();
                _timerI.Start(Timers.TimerIK(Reliable), Terminate);
            }

            return;
        }

        // A retransmitted INVITE: resend the latest response (RFC 3261 §17.2.1; 2xx per RFC 6026)
        // until the ACK; a copy arriving after it is a stale duplicate and is absorbed (RFC 6026 §8.7).
        if (!_acked && LastResponse is not null && State is SipTransactionState.Proceeding or SipTransactionState.Completed or SipTransactionState.Accepted)
        {
            Send(LastResponse);
        }
    }

    /// <summary>The dialog saw the ACK for the 2xx: stop retransmitting it; Accepted lingers to absorb INVITE copies.</summary>
    public void OnAckFor2xx()
    {
        if (State != SipTransactionState.Accepted || _acked)
        {
            return;
        }

        _acked = true;
        _timerG.Stop();
        KeepOnlyStatusLine();
    }
}
