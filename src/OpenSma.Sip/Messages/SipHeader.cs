namespace OpenSma.Sip.Messages;

/// <summary>One header field as it appeared on the wire (folding removed), name normalized.</summary>
public readonly record struct SipHeader(string Name, string Value);
