using OpenSma.Sip.Messages;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Transactions;

/// <summary>A client transaction: sends a request and reports every response (or a local 408) to its user.</summary>
public abstract class ClientTransaction : SipTransaction
{
    private readonly Action<ClientTransaction, SipResponse> _onResponse;

    private protected ClientTransaction(SipTransactionLayer layer, string key, SipRequest request, SipRemote remote, Action<ClientTransaction, SipResponse> onResponse)
        : base(layer, key, request, remote)
    {
        _onResponse = onResponse;
    }

    internal abstract void Start();

    internal abstract void OnResponse(SipResponse response);

    /// <summary>True when the final response was made here (timeout or transport error), not sent by the peer.</summary>
    internal bool FailedLocally { get; private set; }

    private protected void Report(SipResponse response) => _onResponse(this, response);

    /// <summary>Timer B or F fired: the user sees a locally made 408 (RFC 3261 §8.1.3.1).</summary>
    private protected void ReportTimeout()
    {
        FailedLocally = true;
        var timeout = SipResponses.Create(Request, 408);
        Report(timeout);
    }

    /// <summary>
    /// The transport could not reach the peer (RFC 3261 §8.1.3.1: treated as 503). Only a
    /// transaction still waiting for its first final response is affected.
    /// </summary>
    internal void OnTransportError()
    {
        if (State is not (SipTransactionState.Calling or SipTransactionState.Trying or SipTransactionState.Proceeding))
        {
            return;
        }

        FailedLocally = true;
        Terminate();
        Report(SipResponses.Create(Request, 503, "Service Unavailable (Transport Error)"));
    }
}
