namespace OpenSma.Media.Rtp;

/// <summary>One reception report block (RFC 3550 section 6.4.1).</summary>
public readonly record struct RtcpReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequence,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport);
