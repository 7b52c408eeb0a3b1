using System.Net;
using OpenSma.Media.Codecs;
using OpenSma.Media.Sdp;

namespace OpenSma.Media.Tests.Sdp;

public sealed class OfferAnswerSessionTests
{
    private static readonly IPAddress Local = IPAddress.Parse("10.0.0.1");

    private static OfferAnswerSession NewSession(MediaCapabilities? capabilities = null) =>
        new(Local, 20000, capabilities ?? MediaCapabilities.Default);

    private static SessionDescription Sdp(string text) => SdpParser.Parse(text).Description!;

    private static string Offer(string formats, string attributes, string direction = "", string address = "192.0.2.9", string protocol = "RTP/AVP", string extraMedia = "") =>
        "v=0\r\no=peer 5 5 IN IP4 192.0.2.9\r\ns=-\r\n" +
        $"c=IN IP4 {address}\r\nt=0 0\r\nm=audio 30000 {protocol} {formats}\r\n{attributes}{direction}{extraMedia}";

    [Fact]
    public void AnswerOffer_BaresipOffer_PicksFirstCommonCodecAndTelephoneEvent()
    {
        var session = NewSession();

        var result = session.AnswerOffer(Sdp(SdpParserTests.Baresip));

        Assert.Null(result.Error);
        var media = result.Media!;
        Assert.Same(AudioCodec.Pcmu, media.Options.Codec); // G722 first but unsupported; PCMU next
        Assert.Equal(0, media.Options.AudioPayloadType);
        Assert.Equal((byte)101, media.Options.TelephoneEventPayloadType);
        Assert.Equal(MediaDirection.SendRecv, media.Options.Direction);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.168.1.20"), 10452), media.RemoteRtp);
        Assert.Equal(20, media.RemotePtimeMilliseconds);
        var answer = result.Answer!.Media.Single();
        Assert.Equal(20000, answer.Port);
        Assert.Equal(["0", "101"], answer.Formats);
        Assert.Equal(MediaDirection.SendRecv, answer.Direction);
        Assert.Contains(answer.Attributes, a => a.Name == "rtpmap" && a.Value == "101 telephone-event/8000");
        Assert.Equal("10.0.0.1", result.Answer.Connection!.Address);
    }

    [Fact]
    public void AnswerOffer_TelephoneEventOnPayloadType96_UsesPeersNumber()
    {
        var offer = Offer("8 96", "a=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16\r\n");

        var result = NewSession().AnswerOffer(Sdp(offer));

        Assert.Same(AudioCodec.Pcma, result.Media!.Options.Codec);
        Assert.Equal((byte)96, result.Media.Options.TelephoneEventPayloadType);
        Assert.Equal(["8", "96"], result.Answer!.Media[0].Formats);
    }

    [Fact]
    public void AnswerOffer_StaticPayloadWithoutRtpmap_Understood()
    {
        var result = NewSession().AnswerOffer(Sdp(Offer("0", string.Empty)));

        Assert.Same(AudioCodec.Pcmu, result.Media!.Options.Codec);
        Assert.Null(result.Media.Options.TelephoneEventPayloadType);
        Assert.Equal(["0"], result.Answer!.Media[0].Formats);
    }

    [Fact]
    public void AnswerOffer_OurPreferenceRestricted_HonoursCapabilities()
    {
        var session = NewSession(new MediaCapabilities([AudioCodec.Pcma]) { TelephoneEvent = false });

        var result = session.AnswerOffer(Sdp(SdpParserTests.Baresip));

        Assert.Same(AudioCodec.Pcma, result.Media!.Options.Codec);
        Assert.Null(result.Media.Options.TelephoneEventPayloadType);
        Assert.Equal(["8"], result.Answer!.Media[0].Formats);
    }

    [Fact]
    public void AnswerOffer_NoCommonCodec_FailsWithReason()
    {
        var offer = Offer("18 9", "a=rtpmap:18 G729/8000\r\na=rtpmap:9 G722/8000\r\n");

        var result = NewSession().AnswerOffer(Sdp(offer));

        Assert.False(result.IsSuccess);
        Assert.Null(result.Answer);
        Assert.Contains("no common codec", result.Error, StringComparison.Ordinal);
        Assert.Contains("G729", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnswerOffer_PcmuAt16kHz_IsNotAccepted()
    {
        var result = NewSession().AnswerOffer(Sdp(Offer("97", "a=rtpmap:97 PCMU/16000\r\n")));

        Assert.False(result.IsSuccess);
    }

    [Fact]
    public void AnswerOffer_SrtpOnly_Rejected()
    {
        var result = NewSession().AnswerOffer(Sdp(Offer("0", string.Empty, protocol: "RTP/SAVP")));

        Assert.Contains("RTP/SAVP", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnswerOffer_AudioAndVideo_VideoRejectedWithPortZero()
    {
        var offer = Offer("0", string.Empty, extraMedia: "m=video 30002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n");

        var result = NewSession().AnswerOffer(Sdp(offer));

        Assert.True(result.IsSuccess);
        Assert.Equal(2, result.Answer!.Media.Count);
        Assert.Equal(20000, result.Answer.Media[0].Port);
        Assert.Equal("video", result.Answer.Media[1].Media);
        Assert.Equal(0, result.Answer.Media[1].Port);
    }

    [Theory]
    [InlineData("a=sendonly\r\n", "192.0.2.9", MediaDirection.RecvOnly)]
    [InlineData("a=recvonly\r\n", "192.0.2.9", MediaDirection.SendOnly)]
    [InlineData("a=inactive\r\n", "192.0.2.9", MediaDirection.Inactive)]
    [InlineData("", "0.0.0.0", MediaDirection.RecvOnly)]
    [InlineData("a=sendonly\r\n", "0.0.0.0", MediaDirection.RecvOnly)]
    public void AnswerOffer_HoldOffers_AnswerWithMatchingDirection(string direction, string address, MediaDirection expected)
    {
        var result = NewSession().AnswerOffer(Sdp(Offer("0", string.Empty, direction, address)));

        Assert.Equal(expected, result.Media!.Options.Direction);
        Assert.Equal(expected, result.Answer!.Media[0].Direction);
    }

    [Fact]
    public void AnswerOffer_ReOffers_KeepSessionIdAndBumpVersionOnlyOnChange()
    {
        var session = NewSession();
        var first = session.AnswerOffer(Sdp(Offer("0", string.Empty))).Answer!;
        var refresh = session.AnswerOffer(Sdp(Offer("0", string.Empty))).Answer!;
        var hold = session.AnswerOffer(Sdp(Offer("0", string.Empty, "a=sendonly\r\n"))).Answer!;

        Assert.Equal(first.Origin.SessionId, hold.Origin.SessionId);
        Assert.Equal(first.Origin.SessionVersion, refresh.Origin.SessionVersion);
        Assert.Equal(first.Origin.SessionVersion + 1, hold.Origin.SessionVersion);
        Assert.Equal(MediaDirection.RecvOnly, session.Current!.Options.Direction);
    }

    [Fact]
    public void AnswerOffer_RtcpAttribute_SetsRtcpEndpoint()
    {
        var result = NewSession().AnswerOffer(Sdp(Offer("0", "a=rtcp:40001 IN IP4 198.51.100.4\r\n")));

        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.4"), 40001), result.Media!.RemoteRtcp);
        Assert.Equal(30000, result.Media.RemoteRtp.Port);
    }

    [Fact]
    public void CreateOffer_ListsOurCodecsAndTelephoneEvent()
    {
        var offer = NewSession().CreateOffer();

        var text = offer.ToString();
        Assert.Contains("m=audio 20000 RTP/AVP 0 8 101\r\n", text, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:101 telephone-event/8000\r\n", text, StringComparison.Ordinal);
        Assert.Contains("a=ptime:20\r\n", text, StringComparison.Ordinal);
        Assert.Contains("a=sendrecv\r\n", text, StringComparison.Ordinal);
        Assert.Contains("c=IN IP4 10.0.0.1\r\n", text, StringComparison.Ordinal);
        Assert.Null(SdpParser.Parse(text).Error);
    }

    [Fact]
    public void ProcessAnswer_ToOurOffer_NegotiatesAnswerersChoice()
    {
        var session = NewSession();
        session.CreateOffer();
        var answer = Offer("8 101", "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n", "a=sendrecv\r\n");

        var result = session.ProcessAnswer(Sdp(answer));

        Assert.Same(AudioCodec.Pcma, result.Media!.Options.Codec);
        Assert.Equal((byte)101, result.Media.Options.TelephoneEventPayloadType);
        Assert.Equal(MediaDirection.SendRecv, result.Media.Options.Direction);
        Assert.Same(result.Media, session.Current);
    }

    [Fact]
    public void ProcessAnswer_HoldReOffer_AnsweredRecvOnly_WeSendOnly()
    {
        var session = NewSession();
        session.CreateOffer();
        session.ProcessAnswer(Sdp(Offer("0", string.Empty)));

        var reOffer = session.CreateOffer(MediaDirection.SendOnly);
        var result = session.ProcessAnswer(Sdp(Offer("0", string.Empty, "a=recvonly\r\n")));

        Assert.Equal(MediaDirection.SendOnly, reOffer.Media[0].Direction);
        Assert.Equal(MediaDirection.SendOnly, result.Media!.Options.Direction);
    }

    [Theory]
    [InlineData("m=audio 0 RTP/AVP 0\r\n", "rejected")]
    [InlineData("m=audio 30000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n", "no codec we offered")]
    [InlineData("m=audio 30000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n", "media sections")]
    public void ProcessAnswer_Unacceptable_Fails(string media, string mentions)
    {
        var session = NewSession();
        session.CreateOffer();

        var result = session.ProcessAnswer(Sdp("v=0\r\no=peer 5 5 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n" + media));

        Assert.Contains(mentions, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ProcessAnswer_WithoutOffer_Fails()
    {
        Assert.NotNull(NewSession().ProcessAnswer(Sdp(Offer("0", string.Empty))).Error);
    }
}
