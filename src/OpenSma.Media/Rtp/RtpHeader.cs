namespace OpenSma.Media.Rtp;

/// <summary>The fixed RTP header fields (RFC 3550 section 5.1) that the media plane uses.</summary>
public readonly record struct RtpHeader(
    byte PayloadType,
    ushort SequenceNumber,
    uint Timestamp,
    uint Ssrc,
    bool Marker = false);
