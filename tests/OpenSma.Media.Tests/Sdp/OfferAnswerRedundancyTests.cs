using OpenSma.Media.Sdp;

namespace OpenSma.Media.Tests.Sdp;

public sealed class OfferAnswerRedundancyTests
{
    [Fact]
    public void AnswerOffer_RedCarryingTelephoneEvents_IsAccepted()
    {
        var offer = "v=0\r\no=gw 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
            "m=audio 30000 RTP/AVP 0 100 101\r\na=rtpmap:100 red/8000\r\na=fmtp:100 101/101/101\r\na=rtpmap:101 telephone-event/8000\r\n";
        var session = new OfferAnswerSession(System.Net.IPAddress.Loopback, 20000, MediaCapabilities.Default);

        var result = session.AnswerOffer(SdpParser.Parse(offer).Description!);

        Assert.Equal((byte)100, result.Media!.Options.RedundancyPayloadType);
        Assert.Equal(["0", "100", "101"], result.Answer!.Media[0].Formats);
        Assert.Contains(result.Answer.Media[0].Attributes, a => a.Name == "fmtp" && a.Value == "100 101/101/101");
    }

    [Fact]
    public void AnswerOffer_RedCarryingAudio_IsNotAccepted()
    {
        var offer = "v=0\r\no=gw 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
            "m=audio 30000 RTP/AVP 0 100 101\r\na=rtpmap:100 red/8000\r\na=fmtp:100 0/0\r\na=rtpmap:101 telephone-event/8000\r\n";
        var session = new OfferAnswerSession(System.Net.IPAddress.Loopback, 20000, MediaCapabilities.Default);

        var result = session.AnswerOffer(SdpParser.Parse(offer).Description!);

        Assert.Null(result.Media!.Options.RedundancyPayloadType);
        Assert.Equal(["0", "101"], result.Answer!.Media[0].Formats);
    }
}
