using System.Net;
using OpenSma.Media.Sdp;

namespace OpenSma.Media.Tests.Sdp;

/// <summary>RFC 5761 rtcp-mux in offers and answers.</summary>
public sealed class OfferAnswerRtcpMuxTests
{
    private static readonly IPAddress Local = IPAddress.Parse("10.0.0.1");
    private static readonly IPEndPoint PeerRtp = new(IPAddress.Parse("192.0.2.9"), 30000);

    private static OfferAnswerSession NewSession(bool rtcpMux = true) =>
        new(Local, 20000, MediaCapabilities.Default with { RtcpMux = rtcpMux });

    private static SessionDescription Sdp(string attributes) => SdpParser.Parse(
        "v=0\r\no=peer 5 5 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0 101\r\n" +
        "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n" + attributes + "a=sendrecv\r\n").Description!;

    [Fact]
    public void CreateOffer_OffersRtcpMux()
    {
        var offer = NewSession().CreateOffer();

        Assert.True(offer.Media[0].HasAttribute("rtcp-mux"));
        Assert.Contains("a=rtcp-mux\r\n", offer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateOffer_RtcpMuxOff_DoesNotOfferIt()
    {
        Assert.False(NewSession(rtcpMux: false).CreateOffer().Media[0].HasAttribute("rtcp-mux"));
    }

    [Fact]
    public void AnswerOffer_WithRtcpMux_AcceptsIt_AndRtcpGoesToTheRtpPort()
    {
        var result = NewSession().AnswerOffer(Sdp("a=rtcp-mux\r\n"));

        Assert.True(result.Answer!.Media[0].HasAttribute("rtcp-mux"));
        Assert.True(result.Media!.Options.RtcpMux);
        Assert.Equal(PeerRtp, result.Media.RemoteRtp);
        Assert.Equal(PeerRtp, result.Media.RemoteRtcp);
    }

    [Fact]
    public void AnswerOffer_WithRtcpMuxAndRtcpAttribute_MuxWins()
    {
        // RFC 5761 5.1.3: an offerer may also give a=rtcp for the fallback; once muxed it does not apply.
        var result = NewSession().AnswerOffer(Sdp("a=rtcp:30001\r\na=rtcp-mux\r\n"));

        Assert.True(result.Media!.Options.RtcpMux);
        Assert.Equal(PeerRtp, result.Media.RemoteRtcp);
    }

    [Fact]
    public void AnswerOffer_WithoutRtcpMux_AnswerHasNone_AndRtcpUsesTheNextPort()
    {
        var result = NewSession().AnswerOffer(Sdp(string.Empty));

        Assert.False(result.Answer!.Media[0].HasAttribute("rtcp-mux"));
        Assert.False(result.Media!.Options.RtcpMux);
        Assert.Equal(new IPEndPoint(PeerRtp.Address, 30001), result.Media.RemoteRtcp);
    }

    [Fact]
    public void AnswerOffer_RtcpMuxOff_DeclinesThePeersOffer()
    {
        var result = NewSession(rtcpMux: false).AnswerOffer(Sdp("a=rtcp-mux\r\n"));

        Assert.False(result.Answer!.Media[0].HasAttribute("rtcp-mux"));
        Assert.False(result.Media!.Options.RtcpMux);
        Assert.Equal(30001, result.Media.RemoteRtcp.Port);
    }

    [Theory]
    [InlineData("a=rtcp-mux\r\n", true)]
    [InlineData("", false)]
    public void ProcessAnswer_MuxOnlyWhenTheAnswerAcceptsIt(string attributes, bool muxed)
    {
        var session = NewSession();
        session.CreateOffer();

        var result = session.ProcessAnswer(Sdp(attributes));

        Assert.Equal(muxed, result.Media!.Options.RtcpMux);
        Assert.Equal(muxed ? 30000 : 30001, result.Media.RemoteRtcp.Port);
    }

    [Fact]
    public void ProcessAnswer_AnswerClaimsMuxWeDidNotOffer_NotMuxed()
    {
        var session = NewSession(rtcpMux: false);
        session.CreateOffer();

        var result = session.ProcessAnswer(Sdp("a=rtcp-mux\r\n"));

        Assert.False(result.Media!.Options.RtcpMux);
    }
}
