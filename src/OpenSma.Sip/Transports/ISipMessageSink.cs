using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Transports;

/// <summary>Where transports deliver what they read.</summary>
public interface ISipMessageSink
{
    void OnMessage(SipInbound inbound);

    /// <summary>Input that did not parse; a request may still be answered with the result's status code.</summary>
    void OnParseFailure(SipParseResult result, SipRemote remote);

    /// <summary>
    /// A message could not be delivered to <paramref name="remote"/> at all (for example the TCP
    /// connection was refused): requests waiting on it fail now instead of at their timeout.
    /// </summary>
    void OnSendFailed(SipRemote remote)
    {
    }

    /// <summary>
    /// Adds to <paramref name="flows"/> every remote address on <paramref name="transport"/> that a
    /// live transaction, dialog or registrar binding still uses, so an idle sweep leaves its
    /// connection open. Called from a timer thread, outside any transport lock.
    /// </summary>
    void CollectFlowsInUse(ISipTransport transport, ISet<System.Net.IPEndPoint> flows)
    {
    }
}
