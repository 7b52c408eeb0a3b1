using OpenSma.Sip.Messages;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Transactions;

/// <summary>
/// INVITE client transaction (RFC 3261 §17.1.1 with the Accepted state of RFC 6026). It ACKs
/// non-2xx finals itself; 2xx finals, including retransmissions, go to the user, which ACKs them.
/// </summary>
public sealed class ClientInviteTransaction : ClientTransaction
{
    private readonly TransactionTimer _timerA;
    private readonly TransactionTimer _timerB;
    private readonly TransactionTimer _timerD;
    private SipRequest? _ack;
    private TimeSpan _interval;

    internal ClientInviteTransaction(SipTransactionLayer layer, string key, SipRequest request, SipRemote remote, Action<ClientTransaction, SipResponse> onResponse)
        : base(layer, key, request, remote, onResponse)
    {
        _timerA = NewTimer();
        _timerB = NewTimer();
        _timerD = NewTimer();
        State = SipTransactionState.Calling;
    }

    internal override void Start()
    {
        Send(Request);
        _interval = Timers.T1;
        if (!Reliable)
        {
            _timerA.Start(_interval, Retransmit);
        }

        _timerB.Start(Timers.TransactionTimeout, OnTimerB);
    }

    private void Retransmit()
    {
        if (State != SipTransactionState.Calling)
        {
            return;
        }

        Send(Request);
        _interval *= 2;
        _timerA.Start(_interval, Retransmit);
    }

    private void OnTimerB()
    {
        if (State is SipTransactionState.Calling or SipTransactionState.Proceeding)
        {
            ReportTimeout();
            Terminate();
        }
    }

    internal override void OnResponse(SipResponse response)
    {
        switch (State)
        {
            case SipTransactionState.Calling or SipTransactionState.Proceeding when response.IsProvisional:
                State = SipTransactionState.Proceeding;
                _timerA.Stop();
                Report(response);
                break;
            case SipTransactionState.Calling or SipTransactionState.Proceeding when response.IsSuccess:
                _timerA.Stop();
                _timerB.Stop();
                State = SipTransactionState.Accepted;
                Report(response);

                // Timer M: 2xx retransmissions keep reaching the user until it expires.
                _timerD.Start(Timers.TransactionTimeout, Terminate);
                break;
            case SipTransactionState.Calling or SipTransactionState.Proceeding:
                _timerA.Stop();
                _timerB.Stop();
                State = SipTransactionState.Completed;
                _ack = SipRequests.AckForNon2xx(Request, response);
                Send(_ack);
                Report(response);
                _timerD.Start(Timers.TimerD(Reliable), Terminate);
                break;
            case SipTransactionState.Completed when !response.IsSuccess && response.IsFinal:
                // A retransmitted final: ACK again, tell nobody.
                Send(_ack!);
                break;
            case SipTransactionState.Accepted when response.IsSuccess:
                Report(response);
                break;
        }
    }
}
