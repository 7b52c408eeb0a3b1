namespace OpenSma.Media.Rtp;

/// <summary>The sender information of an RTCP SR (RFC 3550 section 6.4.1).</summary>
public readonly record struct RtcpSenderInfo(ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount)
{
    /// <summary>The middle 32 bits of the NTP timestamp, echoed as LSR in report blocks.</summary>
    public uint CompactNtp => (uint)(NtpTimestamp >> 16);

    private static readonly DateTimeOffset NtpEpoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static ulong ToNtp(DateTimeOffset time)
    {
        var since = time - NtpEpoch;
        var seconds = (ulong)(since.Ticks / TimeSpan.TicksPerSecond);
        var fraction = (ulong)(since.Ticks % TimeSpan.TicksPerSecond) * (1UL << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }
}
