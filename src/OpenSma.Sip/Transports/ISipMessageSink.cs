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
}
