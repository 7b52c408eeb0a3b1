namespace OpenSma.Sip.Messages;

/// <summary>A message body as the stack carries it: opaque bytes with their content type (SDP is parsed elsewhere).</summary>
public readonly record struct SipBody(ReadOnlyMemory<byte> Content, string ContentType);
