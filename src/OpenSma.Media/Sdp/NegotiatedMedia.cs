using System.Net;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Sdp;

/// <summary>The agreed audio stream: how to configure the leg's RTP session and where the peer is.</summary>
public sealed record NegotiatedMedia(RtpSessionOptions Options, IPEndPoint RemoteRtp, IPEndPoint RemoteRtcp)
{
    /// <summary>The peer's a=ptime, if it sent one; what we send is <see cref="RtpSessionOptions.PacketTimeMilliseconds"/>.</summary>
    public int? RemotePtimeMilliseconds { get; init; }
}

/// <summary>
/// Outcome of an offer/answer step. On success <see cref="Media"/> is set (and <see cref="Answer"/>
/// when we answered); on failure <see cref="Error"/> says why, and the SIP layer answers 488.
/// </summary>
public sealed record OfferAnswerResult(SessionDescription? Answer, NegotiatedMedia? Media, string? Error)
{
    public bool IsSuccess => Media is not null;
}
