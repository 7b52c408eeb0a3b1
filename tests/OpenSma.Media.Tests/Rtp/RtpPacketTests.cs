using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

public sealed class RtpPacketTests
{
    [Fact]
    public void Write_ThenTryRead_RoundTripsHeaderAndPayload()
    {
        var buffer = new byte[200];
        var header = new RtpHeader(8, 65535, 0xDEADBEEF, 0x01020304, Marker: true);

        var length = RtpPacket.Write(buffer, header, [1, 2, 3]);

        Assert.Equal(15, length);
        Assert.Equal([0x80, 0x88, 0xFF, 0xFF, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4], buffer[..12]);
        Assert.True(RtpPacket.TryRead(buffer.AsSpan(0, length), out var read, out var payload));
        Assert.Equal(header, read);
        Assert.Equal([1, 2, 3], payload.ToArray());
    }

    [Fact]
    public void TryRead_CsrcExtensionAndPadding_AreSkipped()
    {
        byte[] packet =
        [
            0xB1, 0x00, 0x00, 0x01, 0, 0, 0, 160, 0, 0, 0, 9, // V=2 P=1 X=1 CC=1, PT 0
            0, 0, 0, 7,                                       // CSRC
            0xBE, 0xDE, 0x00, 0x01, 0xAA, 0xBB, 0xCC, 0xDD,   // extension, 1 word
            0x55, 0x66,                                       // payload
            0, 0, 3,                                          // 3 bytes of padding
        ];

        Assert.True(RtpPacket.TryRead(packet, out var header, out var payload));
        Assert.Equal(1, header.SequenceNumber);
        Assert.Equal(160u, header.Timestamp);
        Assert.Equal([0x55, 0x66], payload.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0, 0, 1 })]                                                 // too short
    [InlineData(new byte[] { 0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 })]                         // version 1
    [InlineData(new byte[] { 0x80, 200, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 })]                       // RTCP SR
    [InlineData(new byte[] { 0x8F, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 })]                         // 15 CSRCs missing
    [InlineData(new byte[] { 0xA0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 50 })]                  // padding > length
    [InlineData(new byte[] { 0xA0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 })]                   // padding count 0
    [InlineData(new byte[] { 0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 })]             // extension overruns
    public void TryRead_Malformed_ReturnsFalse(byte[] packet)
    {
        Assert.False(RtpPacket.TryRead(packet, out _, out _));
    }

    [Fact]
    public void TryRead_RandomBytes_NeverThrows()
    {
        var random = new Random(7);
        var buffer = new byte[64];
        for (var i = 0; i < 20000; i++)
        {
            random.NextBytes(buffer);
            buffer[0] = (byte)((buffer[0] & 0x3F) | 0x80);
            var ok = RtpPacket.TryRead(buffer.AsSpan(0, random.Next(64)), out _, out var payload);
            Assert.True(!ok || payload.Length >= 0);
        }
    }
}
