using System.Buffers;
using System.Text;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Tests.Parsing;

public sealed class SipMessageParserTests
{
    internal const string Invite =
        "INVITE sip:+15551230000@127.0.0.1:5080 SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-1;rport\r\n" +
        "From: <sip:+15559870000@127.0.0.1>;tag=abc\r\n" +
        "To: <sip:+15551230000@127.0.0.1>\r\n" +
        "Call-ID: call-1@127.0.0.1\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Contact: <sip:+15559870000@127.0.0.1:5070;transport=tcp>\r\n" +
        "Max-Forwards: 70\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 4\r\n\r\n" +
        "v=0\n";

    [Fact]
    public void ParseStream_SplitAtEveryByte_NeedsMoreUntilComplete()
    {
        var bytes = Encoding.UTF8.GetBytes(Invite);
        var parser = new SipMessageParser();
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var result = parser.ParseStream(new ReadOnlySequence<byte>(bytes, 0, cut));
            Assert.Equal(SipParseStatus.Incomplete, result.Status);
        }

        var full = parser.ParseStream(new ReadOnlySequence<byte>(bytes));
        Assert.True(full.IsComplete, full.Error);
        Assert.Equal(bytes.Length, full.Consumed);
        Assert.Equal("v=0\n", Encoding.UTF8.GetString(full.Message!.Body.Span));
    }

    [Fact]
    public void ParseStream_TwoMessagesAcrossSegments_FramesEachByContentLength()
    {
        var bytes = Encoding.UTF8.GetBytes("\r\n\r\n" + Invite + Invite.Replace("call-1", "call-2", StringComparison.Ordinal));
        var sequence = Segments.Create(bytes, 7);
        var parser = new SipMessageParser();

        var first = parser.ParseStream(sequence);
        Assert.True(first.IsComplete, first.Error);
        Assert.Equal("call-1@127.0.0.1", first.Message!.CallId);
        var second = parser.ParseStream(sequence.Slice(first.Consumed));
        Assert.True(second.IsComplete, second.Error);
        Assert.Equal("call-2@127.0.0.1", second.Message!.CallId);
        Assert.Equal(bytes.Length, first.Consumed + second.Consumed);
    }

    [Fact]
    public void ParseStream_OnlyKeepAlives_ConsumesThemAndWaits()
    {
        var result = new SipMessageParser().ParseStream(new ReadOnlySequence<byte>("\r\n\r\n"u8.ToArray()));
        Assert.Equal(SipParseStatus.Incomplete, result.Status);
        Assert.Equal(4, result.Consumed);
    }

    [Fact]
    public void ParseStream_NegativeContentLength_LosesFraming()
    {
        var text = Invite.Replace("Content-Length: 4", "Content-Length: -4", StringComparison.Ordinal);
        var result = new SipMessageParser().ParseStream(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(400, result.ErrorStatusCode);
        Assert.True(result.FramingLost);
    }

    [Fact]
    public void ParseStream_HeadWithoutEndBeyondLimit_Is513()
    {
        var parser = new SipMessageParser(new SipParserLimits { MaxMessageBytes = 100 });
        var result = parser.ParseStream(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(new string('a', 200))));
        Assert.Equal(513, result.ErrorStatusCode);
        Assert.True(result.FramingLost);
    }

    [Fact]
    public void ParseStream_MissingHeaderButGoodFraming_AnswersAndKeepsStream()
    {
        var text = Invite.Replace("Call-ID: call-1@127.0.0.1\r\n", string.Empty, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(text);
        var result = new SipMessageParser().ParseStream(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(400, result.ErrorStatusCode);
        Assert.False(result.FramingLost);
        Assert.Equal(bytes.Length, result.Consumed);
    }

    [Fact]
    public void ParseDatagram_BodyOverLimit_Is413()
    {
        var parser = new SipMessageParser(new SipParserLimits { MaxBodyBytes = 2 });
        Assert.Equal(413, parser.ParseDatagram(Encoding.UTF8.GetBytes(Invite)).ErrorStatusCode);
    }

    [Fact]
    public void ParseDatagram_MessageOverLimit_Is513()
    {
        var parser = new SipMessageParser(new SipParserLimits { MaxMessageBytes = 100 });
        Assert.Equal(513, parser.ParseDatagram(Encoding.UTF8.GetBytes(Invite)).ErrorStatusCode);
    }

    [Fact]
    public void ParseDatagram_TooManyHeaders_Is400()
    {
        var parser = new SipMessageParser(new SipParserLimits { MaxHeaderCount = 5 });
        var result = parser.ParseDatagram(Encoding.UTF8.GetBytes(Invite));
        Assert.Equal(400, result.ErrorStatusCode);
        Assert.Contains("header", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ParseDatagram_LineTooLong_Is400()
    {
        var parser = new SipMessageParser(new SipParserLimits { MaxLineLength = 30 });
        var result = parser.ParseDatagram(Encoding.UTF8.GetBytes(Invite));
        Assert.Equal(400, result.ErrorStatusCode);
        Assert.Contains("too long", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseDatagram_Garbage_IsInvalidNotThrown()
    {
        var result = new SipMessageParser().ParseDatagram([0xff, 0x00, 0x41, (byte)'\n', (byte)':']);
        Assert.Equal(SipParseStatus.Invalid, result.Status);
    }

    [Fact]
    public void ParseDatagram_CrlfKeepAlive_IsDroppedSilently()
    {
        var result = new SipMessageParser().ParseDatagram("\r\n\r\n"u8);
        Assert.Equal(SipParseStatus.Invalid, result.Status);
        Assert.Equal(0, result.ErrorStatusCode);
    }

    [Fact]
    public void WriteThenParse_Invite_RoundTrips()
    {
        var parser = new SipMessageParser();
        var first = (SipRequest)parser.ParseDatagram(Encoding.UTF8.GetBytes(Invite)).Message!;
        var bytes = SipMessageWriter.ToBytes(first);
        Assert.Equal(Invite, Encoding.UTF8.GetString(bytes));
        var again = (SipRequest)parser.ParseDatagram(bytes).Message!;
        Assert.Equal(first.RequestUri.ToString(), again.RequestUri.ToString());
        Assert.Equal(first.Headers.Select(h => (h.Name, h.Value)), again.Headers.Select(h => (h.Name, h.Value)));
    }

    [Fact]
    public void WriteThenParse_CompactFoldedMessage_ExpandsNames()
    {
        var text = "OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bKx\r\nf: <sip:c@d>\r\n ;tag=1\r\nt: sip:a@b\r\n" +
                   "i: x\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n";
        var message = new SipMessageParser().ParseDatagram(Encoding.UTF8.GetBytes(text)).Message!;
        var written = Encoding.UTF8.GetString(SipMessageWriter.ToBytes(message));
        Assert.Contains("Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\n", written, StringComparison.Ordinal);
        Assert.Contains("From: <sip:c@d> ;tag=1\r\n", written, StringComparison.Ordinal);
        Assert.Contains("Call-ID: x\r\n", written, StringComparison.Ordinal);
        Assert.Equal("1", message.From!.Tag);
    }
}
