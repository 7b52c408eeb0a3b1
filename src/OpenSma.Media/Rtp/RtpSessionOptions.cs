using OpenSma.Media.Codecs;
using OpenSma.Media.Sdp;

namespace OpenSma.Media.Rtp;

/// <summary>What offer/answer settled for one leg's audio stream.</summary>
public sealed record RtpSessionOptions(
    AudioCodec Codec,
    byte AudioPayloadType,
    byte? TelephoneEventPayloadType,
    MediaDirection Direction = MediaDirection.SendRecv)
{
    /// <summary>No RTP for this long while we expect it means the peer is gone.</summary>
    public TimeSpan InactivityTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>RTCP reports go out this often (RFC 3550's 5 s minimum for a two-party session).</summary>
    public TimeSpan RtcpInterval { get; init; } = TimeSpan.FromSeconds(5);

    public string Cname { get; init; } = "opensma";

    /// <summary>RFC 2198 redundancy ("red/8000") the peer may wrap telephone-events in, if negotiated.</summary>
    public byte? RedundancyPayloadType { get; init; }

    /// <summary>RTCP shares the RTP port both ways (RFC 5761): reports go out from and to the RTP ports.</summary>
    public bool RtcpMux { get; init; }

    /// <summary>
    /// Outbound packetization (the peer's a=ptime, capped by its a=maxptime): milliseconds of audio
    /// per packet, <see cref="MinPacketTime"/> to <see cref="MaxPacketTime"/>. Timestamps advance by
    /// 8 x this per packet. The media clock ticks every 20 ms; packets due between ticks (the
    /// second 10 ms packet of a tick, every other 30 ms packet) wait in the clock's deferred sends,
    /// so every packet leaves this far after the previous one.
    /// </summary>
    public int PacketTimeMilliseconds { get; init; } = 20;

    public const int MinPacketTime = 10;

    public const int MaxPacketTime = 120;

    /// <summary>Run the Goertzel detector on received audio (until the peer proves it uses RFC 4733).</summary>
    public bool DetectInBandDtmf { get; init; } = true;
}
