using OpenSma.Sip.Messages;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Transactions;

/// <summary>Non-INVITE server transaction (RFC 3261 §17.2.2): timer J.</summary>
public sealed class ServerNonInviteTransaction : ServerTransaction
{
    private readonly TransactionTimer _timerJ;

    internal ServerNonInviteTransaction(SipTransactionLayer layer, string key, SipRequest request, SipRemote remote)
        : base(layer, key, request, remote)
    {
        _timerJ = NewTimer();
        State = SipTransactionState.Trying;
    }

    public override void Respond(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
        {
            return;
        }

        LastResponse = response;
        Send(response);
        if (response.IsProvisional)
        {
            State = SipTransactionState.Proceeding;
            return;
        }

        State = SipTransactionState.Completed;
        _timerJ.Start(Timers.TimerJ(Reliable), Terminate);
    }

    internal override void OnRetransmission(SipRequest request)
    {
        if (LastResponse is not null && State is SipTransactionState.Proceeding or SipTransactionState.Completed)
        {
            Send(LastResponse);
        }
    }
}
