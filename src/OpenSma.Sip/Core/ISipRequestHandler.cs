using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Core;

/// <summary>The transaction user: what the core hands new requests to (all calls run under the gate).</summary>
internal interface ISipRequestHandler
{
    /// <summary>A new request with its server transaction (null for an ACK to a 2xx, which has none).</summary>
    void OnRequest(SipRequest request, ServerTransaction? transaction, SipRemote source);

    /// <summary>A CANCEL matched a pending INVITE; the CANCEL itself has already been answered 200.</summary>
    void OnCancel(ServerInviteTransaction invite);

    /// <summary>A response no client transaction claims, such as a 2xx retransmitted after the transaction ended.</summary>
    void OnStrayResponse(SipResponse response, SipRemote source);

    /// <summary>Adds the flows on <paramref name="transport"/> that the handler's dialogs use (called under the gate).</summary>
    void CollectFlowsInUse(ISipTransport transport, ISet<System.Net.IPEndPoint> flows)
    {
    }
}
