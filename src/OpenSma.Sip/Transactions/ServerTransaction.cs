using OpenSma.Sip.Messages;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Transactions;

/// <summary>A server transaction: absorbs request retransmissions and sends the user's responses reliably.</summary>
public abstract class ServerTransaction : SipTransaction
{
    private protected ServerTransaction(SipTransactionLayer layer, string key, SipRequest request, SipRemote remote)
        : base(layer, key, request, remote)
    {
    }

    /// <summary>The last response sent, resent when the request is retransmitted.</summary>
    public SipResponse? LastResponse { get; private protected set; }

    /// <summary>Sends a response; calls after the final response are ignored.</summary>
    public abstract void Respond(SipResponse response);

    internal abstract void OnRetransmission(SipRequest request);
}
