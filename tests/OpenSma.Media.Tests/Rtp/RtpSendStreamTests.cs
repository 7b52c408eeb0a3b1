using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

public sealed class RtpSendStreamTests
{
    private static RtpHeader Send(RtpSendStream stream, long tick, bool marker = false, uint? timestamp = null)
    {
        var buffer = new byte[200];
        var length = stream.WritePacket(buffer, 0, tick, new byte[160], marker, timestamp);
        Assert.True(RtpPacket.TryRead(buffer.AsSpan(0, length), out var header, out _));
        return header;
    }

    [Fact]
    public void WritePacket_ConsecutiveTicks_Advance160AndOneSequence()
    {
        var stream = new RtpSendStream(42, 65534, uint.MaxValue - 100);

        var first = Send(stream, 10);
        var second = Send(stream, 11);
        var third = Send(stream, 12);

        Assert.True(first.Marker);
        Assert.False(second.Marker);
        Assert.Equal((ushort)65534, first.SequenceNumber);
        Assert.Equal((ushort)65535, second.SequenceNumber);
        Assert.Equal((ushort)0, third.SequenceNumber);
        Assert.Equal(uint.MaxValue - 100, first.Timestamp);
        Assert.Equal(59u, second.Timestamp); // wrapped
        Assert.Equal(219u, third.Timestamp);
        Assert.Equal(42u, third.Ssrc);
        Assert.Equal(3, stream.PacketCount);
        Assert.Equal(480, stream.OctetCount);
    }

    [Fact]
    public void WritePacket_AfterGap_KeepsSequenceTimestampFollowsTimeAndSetsMarker()
    {
        var stream = new RtpSendStream(1, 100, 1000);
        Send(stream, 0);
        Send(stream, 1);

        var afterPause = Send(stream, 51); // one second later

        Assert.True(afterPause.Marker);
        Assert.Equal((ushort)102, afterPause.SequenceNumber);
        Assert.Equal(1000u + (51 * 160), afterPause.Timestamp);
    }

    [Fact]
    public void WritePacket_TimestampOverride_UsedForEventsWithoutBreakingAudioTimeline()
    {
        var stream = new RtpSendStream(1, 0, 0);
        Send(stream, 0);

        var eventPacket = Send(stream, 1, marker: true, timestamp: 160);
        var eventContinued = Send(stream, 2, timestamp: 160);
        var audio = Send(stream, 3);

        Assert.True(eventPacket.Marker);
        Assert.Equal(160u, eventContinued.Timestamp);
        Assert.False(eventContinued.Marker);
        Assert.Equal(480u, audio.Timestamp);
        Assert.Equal((ushort)3, audio.SequenceNumber);
    }

    [Fact]
    public void CreateRandom_GivesDistinctSsrcs()
    {
        var ssrcs = Enumerable.Range(0, 50).Select(_ => RtpSendStream.CreateRandom().Ssrc).Distinct().Count();

        Assert.True(ssrcs >= 49);
    }
}
