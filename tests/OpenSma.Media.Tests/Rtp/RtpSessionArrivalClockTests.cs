using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Codecs;
using OpenSma.Media.Rtp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Rtp;

public sealed class RtpSessionArrivalClockTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("10.1.1.1"), 30000);

    [Fact]
    public void OnDatagram_ArrivalTimesWhoseProductWith8000OverflowsLong_JitterStaysZero()
    {
        // FakeTimeProvider timestamps are DateTime ticks, and t x 8000 overflows a long, flipping
        // from the largest value to the smallest at odd multiples of 2^63. Start just before such a
        // flip (in 2026), so the arrivals straddle it. On a real machine: after 13 days of uptime.
        var wrap = (long)(((Int128)555 << 63) / 8000);
        var time = new FakeTimeProvider(new DateTimeOffset(wrap - TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.Zero));
        var transport = new MemoryTransport();
        using var session = new RtpSession(transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), time);
        session.Start();
        session.SetRemote(Peer);
        var frame = new short[160];

        for (ushort i = 0; i < 20; i++)
        {
            transport.Deliver(PeerPackets.Audio(i, (uint)(i * 160), frame), Peer);
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        var statistics = session.GetStatistics();
        Assert.Equal(20, statistics.PacketsReceived);
        Assert.Equal(0, statistics.JitterMilliseconds);
    }
}
