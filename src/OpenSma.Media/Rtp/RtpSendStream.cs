using System.Security.Cryptography;

namespace OpenSma.Media.Rtp;

/// <summary>
/// The outbound half of an RTP stream: one SSRC whose sequence numbers increase by one per packet
/// and whose timestamps are derived from media clock ticks (160 per 20 ms tick since the stream's
/// first tick), so they stay continuous across playback segments and reflect real time across
/// pauses. The marker bit goes on the first packet and on the first packet after a gap.
/// </summary>
public sealed class RtpSendStream
{
    public const int SamplesPerTick = 160;

    private readonly uint _initialTimestamp;
    private long _firstTick = -1;
    private long _lastSentTick = long.MinValue;
    private ushort _nextSequence;

    public RtpSendStream(uint ssrc, ushort initialSequence, uint initialTimestamp)
    {
        Ssrc = ssrc;
        _nextSequence = initialSequence;
        _initialTimestamp = initialTimestamp;
    }

    /// <summary>Random SSRC, sequence and timestamp origins, as RFC 3550 section 5.1 requires.</summary>
    public static RtpSendStream CreateRandom()
    {
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        return new RtpSendStream(
            BitConverter.ToUInt32(random),
            BitConverter.ToUInt16(random[4..]),
            BitConverter.ToUInt32(random[6..]));
    }

    public uint Ssrc { get; }

    public ushort NextSequence => _nextSequence;

    public long PacketCount { get; private set; }

    /// <summary>Payload octets sent, for RTCP sender reports.</summary>
    public long OctetCount { get; private set; }

    /// <summary>The RTP timestamp of the most recent packet sent.</summary>
    public uint LastTimestamp { get; private set; }

    /// <summary>The media clock tick of the most recent packet sent.</summary>
    public long LastTick => _lastSentTick;

    public uint TimestampForTick(long tick)
    {
        if (_firstTick < 0)
        {
            _firstTick = tick;
        }

        return unchecked(_initialTimestamp + (uint)((tick - _firstTick) * SamplesPerTick));
    }

    /// <summary>
    /// Writes a packet whose timestamp and marker the caller decided (packets longer or shorter
    /// than a tick, whose timestamps are not the tick's); <paramref name="tick"/> is the tick it leaves on.
    /// </summary>
    public int WritePacketAt(Span<byte> destination, byte payloadType, long tick, ReadOnlySpan<byte> payload, uint timestamp, bool marker)
    {
        TimestampForTick(tick);
        var header = new RtpHeader(payloadType, _nextSequence, timestamp, Ssrc, marker);
        var length = RtpPacket.Write(destination, header, payload);
        _nextSequence = unchecked((ushort)(_nextSequence + 1));
        _lastSentTick = Math.Max(_lastSentTick, tick);
        LastTimestamp = timestamp;
        PacketCount++;
        OctetCount += payload.Length;
        return length;
    }

    /// <summary>Writes the packet for this tick; the timestamp is the tick's, unless <paramref name="timestampOverride"/> is given (telephone events keep their start timestamp).</summary>
    public int WritePacket(Span<byte> destination, byte payloadType, long tick, ReadOnlySpan<byte> payload, bool forceMarker = false, uint? timestampOverride = null)
    {
        var timestamp = TimestampForTick(tick);
        var marker = forceMarker || _lastSentTick == long.MinValue || tick > _lastSentTick + 1;
        var header = new RtpHeader(payloadType, _nextSequence, timestampOverride ?? timestamp, Ssrc, marker);
        var length = RtpPacket.Write(destination, header, payload);
        _nextSequence = unchecked((ushort)(_nextSequence + 1));
        _lastSentTick = Math.Max(_lastSentTick, tick);
        LastTimestamp = header.Timestamp;
        PacketCount++;
        OctetCount += payload.Length;
        return length;
    }
}
