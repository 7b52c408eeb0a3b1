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

    /// <summary>
    /// The last response sent, resent when the request is retransmitted. Once nothing can resend it
    /// any more (the ACK for an INVITE's final response came, or the transaction ended) only its
    /// status line is kept: a response with the same status code and reason phrase and no header
    /// fields or body. An INVITE transaction lingers up to 64*T1 after its ACK (and a dialog kept
    /// it until then), so the full response (every header value a string, the SDP body) would
    /// otherwise live as long.
    /// </summary>
    public SipResponse? LastResponse { get; private protected set; }

    /// <summary>Replaces <see cref="LastResponse"/> by its status line alone (see there).</summary>
    private protected void KeepOnlyStatusLine()
    {
        if (LastResponse is { } last && (last.Headers.Count > 0 || !last.Body.IsEmpty))
        {
            LastResponse = new SipResponse(last.StatusCode, last.ReasonPhrase);
        }
    }

    private protected override void OnTerminated()
    {
        KeepOnlyStatusLine();
        base.OnTerminated();
    }

    /// <summary>Sends a response; calls after the final response are ignored.</summary>
    public abstract void Respond(SipResponse response);

    internal abstract void OnRetransmission(SipRequest request);
}
