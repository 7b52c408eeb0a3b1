using System.Buffers.Binary;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

public sealed class RtcpPacketTests
{
    [Fact]
    public void WriteCompound_SenderReport_RoundTrips()
    {
        var buffer = new byte[512];
        var info = new RtcpSenderInfo(0x0123456789ABCDEF, 1600, 10, 1600);
        var block = new RtcpReportBlock(99, 25, -3, 70000, 40, 0x11112222, 0x00010000);

        var length = RtcpPacket.WriteCompound(buffer, 7, info, block, "opensma@test");

        Assert.Equal(0, length % 4);
        Assert.Equal(RtcpPacket.SenderReport, buffer[1]);
        Assert.Equal(0x81, buffer[0]);
        Assert.Equal(12, BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2))); // 52 bytes / 4 - 1
        Assert.Equal(RtcpPacket.SourceDescription, buffer[53]);
        Assert.True(RtcpPacket.TryRead(buffer.AsSpan(0, length), 99, out var report));
        Assert.Equal(7u, report.SenderSsrc);
        Assert.Equal(info, report.SenderInfo);
        Assert.Equal(block, report.AboutUs);
        Assert.False(report.Bye);
    }

    [Fact]
    public void WriteCompound_ReceiverReportWithoutBlock_IsMinimal()
    {
        var buffer = new byte[512];

        var length = RtcpPacket.WriteCompound(buffer, 7, null, null, "x");

        Assert.Equal(RtcpPacket.ReceiverReport, buffer[1]);
        Assert.Equal(0x80, buffer[0]);
        Assert.True(RtcpPacket.TryRead(buffer.AsSpan(0, length), 99, out var report));
        Assert.Null(report.SenderInfo);
        Assert.Null(report.AboutUs);
    }

    [Fact]
    public void TryRead_BlockForOtherSsrc_IsIgnored()
    {
        var buffer = new byte[512];
        var length = RtcpPacket.WriteCompound(buffer, 7, null, new RtcpReportBlock(1, 0, 0, 0, 0, 0, 0), "x");

        Assert.True(RtcpPacket.TryRead(buffer.AsSpan(0, length), 2, out var report));
        Assert.Null(report.AboutUs);
    }

    [Fact]
    public void TryRead_Bye_IsReported()
    {
        byte[] bye = [0x81, RtcpPacket.Goodbye, 0, 1, 0, 0, 0, 7];

        Assert.True(RtcpPacket.TryRead(bye, 1, out var report));
        Assert.True(report.Bye);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 200, 0, 6 })]
    [InlineData(new byte[] { 0x80, 100, 0, 1, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x80, 201, 0, 9, 0, 0, 0, 0 })]
    public void TryRead_Malformed_ReturnsFalse(byte[] packet)
    {
        Assert.False(RtcpPacket.TryRead(packet, 1, out _));
    }

    [Fact]
    public void ToNtp_KnownInstant()
    {
        var ntp = RtcpSenderInfo.ToNtp(new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(0.5));

        Assert.Equal(2208988800UL, ntp >> 32);
        Assert.Equal(0x80000000UL, ntp & 0xFFFFFFFF);
    }
}
