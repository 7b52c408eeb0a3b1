using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Registrar;

/// <summary>One registered contact of an address of record (RFC 3261 §10.3).</summary>
public sealed record SipBinding(string User, SipUri Contact, DateTimeOffset ExpiresAt, string CallId, long CSeq, string Transport, System.Net.IPEndPoint Source);
