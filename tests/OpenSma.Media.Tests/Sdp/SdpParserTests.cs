using OpenSma.Media.Sdp;

namespace OpenSma.Media.Tests.Sdp;

public sealed class SdpParserTests
{
    internal const string Baresip =
        "v=0\r\n" +
        "o=- 1415327712 2882413524 IN IP4 192.168.1.20\r\n" +
        "s=-\r\n" +
        "c=IN IP4 192.168.1.20\r\n" +
        "t=0 0\r\n" +
        "a=tool:baresip 3.10.1\r\n" +
        "m=audio 10452 RTP/AVP 9 0 8 96 101\r\n" +
        "b=AS:64\r\n" +
        "a=rtpmap:9 G722/8000\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:96 opus/48000/2\r\n" +
        "a=fmtp:96 stereo=1;sprop-stereo=1\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-15\r\n" +
        "a=sendrecv\r\n" +
        "a=label:1\r\n" +
        "a=ssrc:1183283547 cname:4f2e1b2a\r\n" +
        "a=rtcp-rsize\r\n" +
        "a=ptime:20\r\n";

    [Fact]
    public void Parse_BaresipOffer_ReadsEverything()
    {
        var result = SdpParser.Parse(Baresip);

        Assert.Null(result.Error);
        var sdp = result.Description!;
        Assert.Equal(1415327712UL, sdp.Origin.SessionId);
        Assert.Equal(2882413524UL, sdp.Origin.SessionVersion);
        Assert.Equal("192.168.1.20", sdp.Connection!.Address);
        Assert.Equal("tool", sdp.Attributes[0].Name);
        Assert.Equal("baresip 3.10.1", sdp.Attributes[0].Value);
        var audio = Assert.Single(sdp.Media);
        Assert.Equal(10452, audio.Port);
        Assert.Equal(["9", "0", "8", "96", "101"], audio.Formats);
        Assert.Equal(MediaDirection.SendRecv, audio.Direction);
        Assert.Equal("20", audio.Attribute("ptime"));
        var maps = audio.RtpMaps();
        Assert.Equal(new RtpMap("telephone-event", 8000), maps[101]);
        Assert.Equal(new RtpMap("opus", 48000, 2), maps[96]);
        Assert.Equal(new SdpLine('b', "AS:64"), Assert.Single(audio.OtherLines));
    }

    [Fact]
    public void ToString_AfterParse_RoundTripsByteForByte()
    {
        var sdp = SdpParser.Parse(Baresip).Description!;

        Assert.Equal(Baresip, sdp.ToString());
    }

    [Fact]
    public void Parse_BareLineFeedsIpv6AndMultipleStreams_Accepted()
    {
        const string text = "v=0\no=alice 1 1 IN IP6 2001:db8::1\ns=call\nt=0 0\nm=audio 4000 RTP/AVP 0\nc=IN IP6 2001:db8::1\na=recvonly\nm=video 4002/2 RTP/AVP 31\nc=IN IP4 224.2.1.1/127\n\n";

        var sdp = SdpParser.Parse(text).Description!;

        Assert.Equal(2, sdp.Media.Count);
        Assert.Equal("2001:db8::1", sdp.Media[0].Connection!.Address);
        Assert.Equal(MediaDirection.RecvOnly, sdp.Media[0].Direction);
        Assert.Equal(2, sdp.Media[1].PortCount);
        Assert.Equal("224.2.1.1", sdp.Media[1].Connection!.Address);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("o=- 1 1 IN IP4 1.2.3.4\r\n", "v=0")]
    [InlineData("v=1\r\n", "v=0")]
    [InlineData("v=0\r\ns=-\r\n", "o=")]
    [InlineData("v=0\r\no=- x 1 IN IP4 1.2.3.4\r\n", "o=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4\r\n", "c=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 70000 RTP/AVP 0\r\n", "m=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio\r\n", "m=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nhello\r\n", "line 3")]
    [InlineData("v=0\r\nv=0\r\n", "once")]
    public void Parse_Malformed_ReturnsError(string text, string mentions)
    {
        var result = SdpParser.Parse(text);

        Assert.Null(result.Description);
        Assert.Contains(mentions, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TooLarge_ReturnsError()
    {
        var result = SdpParser.Parse("v=0\r\n" + new string('a', SdpParser.MaxLength));

        Assert.NotNull(result.Error);
    }

    [Fact]
    public void Parse_RandomMutations_NeverThrow()
    {
        var random = new Random(11);
        var chars = Baresip.ToCharArray();
        for (var i = 0; i < 5000; i++)
        {
            var mutated = (char[])chars.Clone();
            for (var j = 0; j < 4; j++)
            {
                mutated[random.Next(mutated.Length)] = (char)random.Next(32, 127);
            }

            var result = SdpParser.Parse(new string(mutated, 0, random.Next(mutated.Length)));

            Assert.True(result.Description is null ^ result.Error is null);
            _ = result.Description?.ToString();
            _ = result.Description?.Media.Select(m => m.RtpMaps()).ToList();
        }
    }
}
