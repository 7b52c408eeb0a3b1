using OpenSma.Media.Codecs;

namespace OpenSma.Media.Sdp;

/// <summary>What this side can do, in order of preference.</summary>
public sealed record MediaCapabilities(IReadOnlyList<AudioCodec> Codecs)
{
    public static MediaCapabilities Default { get; } = new([AudioCodec.Pcmu, AudioCodec.Pcma]);

    public bool TelephoneEvent { get; init; } = true;

    /// <summary>Payload type we offer telephone-event on; in answers we adopt the offerer's.</summary>
    public byte TelephoneEventPayloadType { get; init; } = 101;

    public int PtimeMilliseconds { get; init; } = 20;

    /// <summary>Offer and accept RTP and RTCP on one port (RFC 5761 a=rtcp-mux).</summary>
    public bool RtcpMux { get; init; } = true;
}
