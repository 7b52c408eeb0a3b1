namespace OpenSma.Sip.Messages;

/// <summary>A SIP request (RFC 3261 §7.1).</summary>
public sealed class SipRequest : SipMessage
{
    public SipRequest(string method, SipUri requestUri)
    {
        Method = method;
        RequestUri = requestUri;
    }

    public string Method { get; }

    public SipUri RequestUri { get; set; }

    public bool IsInvite => Method == SipMethods.Invite;

    public bool IsAck => Method == SipMethods.Ack;

    public SipRequest Clone() => new(Method, RequestUri.With()) { Headers = Headers.Clone(), Body = Body };

    public override string ToString() => $"{Method} {RequestUri}";
}
