using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Transports;

/// <summary>A parsed message and where it came from.</summary>
public sealed record SipInbound(SipMessage Message, SipRemote Remote);
