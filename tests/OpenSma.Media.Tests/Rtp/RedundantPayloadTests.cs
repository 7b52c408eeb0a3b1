using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Codecs;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Rtp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Rtp;

public sealed class RedundantPayloadTests
{
    // RFC 2198 payload: redundant blocks (oldest first) then the primary.
    internal static byte[] Red(params (byte Pt, ushort Offset, byte[] Data)[] redundantThenPrimary)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < redundantThenPrimary.Length - 1; i++)
        {
            var (pt, offset, data) = redundantThenPrimary[i];
            var word = (uint)(0x80 | pt) << 24 | (uint)offset << 10 | (uint)data.Length;
            bytes.AddRange([(byte)(word >> 24), (byte)(word >> 16), (byte)(word >> 8), (byte)word]);
        }

        bytes.Add(redundantThenPrimary[^1].Pt);
        foreach (var block in redundantThenPrimary)
        {
            bytes.AddRange(block.Data);
        }

        return [.. bytes];
    }

    private static byte[] Event(char digit, ushort duration, bool end)
    {
        var payload = new byte[4];
        new TelephoneEvent(TelephoneEvent.FromDigit(digit)!.Value, end, 10, duration).Write(payload);
        return payload;
    }

    [Fact]
    public void TryNext_ThreeBlocks_GivesOldestFirstWithTimestamps()
    {
        var payload = Red((101, 320, Event('1', 800, true)), (101, 160, Event('2', 160, false)), (101, 0, Event('2', 320, false)));

        var reader = new RedundantPayload(payload, 10_000);
        var seen = new List<(byte, uint, int)>();
        while (reader.TryNext(out var block))
        {
            seen.Add((block.PayloadType, block.Timestamp, block.Data.Length));
        }

        Assert.True(reader.IsValid);
        Assert.Equal([(101, 9680u, 4), (101, 9840u, 4), (101, 10_000u, 4)], seen);
    }

    [Theory]
    [InlineData(new byte[] { 0x80 | 101, 0, 0 })]          // truncated header, no primary
    [InlineData(new byte[] { 0x80 | 101, 0, 0x04, 0x10, 101 })] // block length 16 beyond payload
    [InlineData(new byte[] { })]
    public void TryNext_Malformed_StopsWithoutThrowing(byte[] payload)
    {
        var reader = new RedundantPayload(payload, 1000);
        var count = 0;
        while (reader.TryNext(out _) && count < 10)
        {
            count++;
        }

        Assert.True(count <= 1);
    }

    [Fact]
    public async Task RtpSession_RedundantEvents_RecoverLostPacketsAndCountOnce()
    {
        var time = new FakeTimeProvider();
        var transport = new MemoryTransport();
        using var session = new RtpSession(transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101) { RedundancyPayloadType = 100 }, time);
        session.Start();
        var peer = new IPEndPoint(IPAddress.Loopback, 30000);
        session.SetRemote(peer);

        // '4' at ts 1000 whose own packets were all lost; the packets of '6' (ts 2000) carry it as redundancy.
        var first = Red((101, 1000, Event('4', 800, true)), (101, 0, Event('6', 160, false)));
        var second = Red((101, 1000, Event('4', 800, true)), (101, 0, Event('6', 320, false)));
        var third = Red((101, 0, Event('6', 480, true)), (101, 0, Event('6', 480, true)));
        ushort sequence = 1;
        foreach (var payload in new[] { first, second, third })
        {
            var packet = new byte[12 + payload.Length];
            RtpPacket.Write(packet, new RtpHeader(100, sequence++, 2000, 77), payload);
            transport.Deliver(packet, peer);
        }

        Assert.Equal('4', (await session.Digits.Reader.ReadAsync()).Digit);
        Assert.Equal('6', (await session.Digits.Reader.ReadAsync()).Digit);
        Assert.False(session.Digits.Reader.TryRead(out _));
        Assert.Equal(0, session.GetStatistics().MalformedPackets);
    }
}
