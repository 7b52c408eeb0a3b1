using OpenSma.Sip.Messages;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Transactions;

/// <summary>What the four transaction machines share: key, state, peer and timers.</summary>
public abstract class SipTransaction
{
    private readonly List<TransactionTimer> _timers = [];

    private protected SipTransaction(SipTransactionLayer layer, string key, SipRequest request, SipRemote remote)
    {
        Layer = layer;
        Key = key;
        Request = request;
        Remote = remote;
    }

    internal SipTransactionLayer Layer { get; }

    public string Key { get; }

    /// <summary>The request that created the transaction.</summary>
    public SipRequest Request { get; }

    /// <summary>The peer: where requests go (client) or where responses go (server).</summary>
    public SipRemote Remote { get; }

    public SipTransactionState State { get; private protected set; }

    private protected bool Reliable => Remote.Transport.IsReliable;

    private protected SipTimerSettings Timers => Layer.Timers;

    private protected TransactionTimer NewTimer()
    {
        var timer = new TransactionTimer(Layer.Time, Layer.Gate);
        _timers.Add(timer);
        return timer;
    }

    private protected void Terminate()
    {
        if (State == SipTransactionState.Terminated)
        {
            return;
        }

        State = SipTransactionState.Terminated;
        foreach (var timer in _timers)
        {
            timer.Dispose();
        }

        Layer.Remove(this);
        OnTerminated();
    }

    private protected virtual void OnTerminated()
    {
    }

    private protected void Send(SipMessage message) => Layer.Send(message, Remote);
}
