namespace OpenSma.Media.Rtp;

/// <summary>A snapshot of one leg's RTP/RTCP counters.</summary>
public sealed record RtpStatistics(
    long PacketsSent,
    long OctetsSent,
    long PacketsReceived,
    long PacketsLost,
    double JitterMilliseconds,
    long PacketsRejected,
    long MalformedPackets,
    byte? RemoteFractionLost,
    double? RemoteJitterMilliseconds,
    TimeSpan? RoundTripTime);
