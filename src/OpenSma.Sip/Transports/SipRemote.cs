using System.Net;

namespace OpenSma.Sip.Transports;

/// <summary>The peer a message came from, and the transport it came on.</summary>
public sealed record SipRemote(ISipTransport Transport, IPEndPoint EndPoint)
{
    public override string ToString() => $"{Transport.Protocol}:{EndPoint}";
}
