using System.Net;
using OpenSma.Media.Sdp;

namespace OpenSma.Media.Tests.Sdp;

public sealed class OfferAnswerPacketTimeTests
{
    private static NegotiatedMedia Answer(string attributes)
    {
        var offer = "v=0\r\no=peer 5 5 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n" +
            $"m=audio 30000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n{attributes}";
        var result = new OfferAnswerSession(IPAddress.Parse("10.0.0.1"), 20000, MediaCapabilities.Default).AnswerOffer(SdpParser.Parse(offer).Description!);
        Assert.Null(result.Error);
        return result.Media!;
    }

    [Theory]
    [InlineData("", 20)]
    [InlineData("a=ptime:10\r\n", 10)]
    [InlineData("a=ptime:30\r\n", 30)]
    [InlineData("a=ptime:40\r\n", 40)]
    [InlineData("a=ptime:60\r\na=maxptime:60\r\n", 60)]
    [InlineData("a=ptime:30\r\na=maxptime:20\r\n", 20)]
    [InlineData("a=maxptime:10\r\n", 10)]
    [InlineData("a=maxptime:150\r\n", 20)]
    [InlineData("a=ptime:250\r\n", 120)]
    [InlineData("a=ptime:5\r\n", 10)]
    [InlineData("a=ptime:twenty\r\n", 20)]
    public void AnswerOffer_PeerPtimeAndMaxptime_SetOurOutboundPacketTime(string attributes, int expected)
    {
        Assert.Equal(expected, Answer(attributes).Options.PacketTimeMilliseconds);
    }

    [Fact]
    public void AnswerOffer_PeerPtime30_OurAnswerStillAsksFor20()
    {
        var offer = "v=0\r\no=peer 5 5 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=ptime:30\r\n";
        var result = new OfferAnswerSession(IPAddress.Parse("10.0.0.1"), 20000, MediaCapabilities.Default).AnswerOffer(SdpParser.Parse(offer).Description!);

        Assert.Equal("20", result.Answer!.Media[0].Attribute("ptime"));
        Assert.Equal(30, result.Media!.RemotePtimeMilliseconds);
        Assert.Equal(30, result.Media.Options.PacketTimeMilliseconds);
    }
}
