using OpenSma.Sip.Messages;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Transactions;

/// <summary>Non-INVITE client transaction (RFC 3261 §17.1.2): timers E, F and K.</summary>
public sealed class ClientNonInviteTransaction : ClientTransaction
{
    private readonly TransactionTimer _timerE;
    private readonly TransactionTimer _timerF;
    private readonly TransactionTimer _timerK;
    private TimeSpan _interval;

    internal ClientNonInviteTransaction(SipTransactionLayer layer, string key, SipRequest request, SipRemote remote, Action<ClientTransaction, SipResponse> onResponse)
        : base(layer, key, request, remote, onResponse)
    {
        _timerE = NewTimer();
        _timerF = NewTimer();
        _timerK = NewTimer();
        State = SipTransactionState.Trying;
    }

    internal override void Start()
    {
        Send(Request);
        _interval = Timers.T1;
        if (!Reliable)
        {
            _timerE.Start(_interval, Retransmit);
        }

        _timerF.Start(Timers.TransactionTimeout, OnTimerF);
    }

    private void Retransmit()
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
        {
            return;
        }

        Send(Request);

        // Trying doubles up to T2; Proceeding retransmits every T2 (RFC 3261 §17.1.2.2).
        _interval = State == SipTransactionState.Trying ? TimeSpan.FromTicks(Math.Min((_interval * 2).Ticks, Timers.T2.Ticks)) : Timers.T2;
        _timerE.Start(_interval, Retransmit);
    }

    private void OnTimerF()
    {
        if (State is SipTransactionState.Trying or SipTransactionState.Proceeding)
        {
            ReportTimeout();
            Terminate();
        }
    }

    internal override void OnResponse(SipResponse response)
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
        {
            return;
        }

        if (response.IsProvisional)
        {
            State = SipTransactionState.Proceeding;
            Report(response);
            return;
        }

        _timerE.Stop();
        _timerF.Stop();
        State = SipTransactionState.Completed;
        Report(response);
        _timerK.Start(Timers.TimerIK(Reliable), Terminate);
    }
}
