using System.Diagnostics;
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

    [Fact]
    public void OnDatagram_TransportArrivalTimes_JitterFromThemNotFromProcessing()
    {
        // Processed all at one instant (a stalled receive thread) but arrived 20 ms apart, as sent.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var transport = new MemoryTransport();
        using var session = new RtpSession(transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), time);
        session.Start();
        session.SetRemote(Peer);
        var frame = new short[160];
        var start = Stopwatch.GetTimestamp();
        var interval = Stopwatch.Frequency / 50;

        for (ushort i = 0; i < 50; i++)
        {
            transport.Deliver(PeerPackets.Audio(i, (uint)(i * 160), frame), Peer, arrivalTimestamp: start + (i * interval));
        }

        Assert.Equal(50, session.GetStatistics().PacketsReceived);
        Assert.Equal(0, session.GetStatistics().JitterMilliseconds);
        Assert.Equal(start + (49 * interval), session.LastArrivalTimestamp);

        // The same packets without arrival times: the processing instant counts, 20 ms late each time.
        var unknown = new MemoryTransport();
        using var processing = new RtpSession(unknown, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), time);
        processing.Start();
        processing.SetRemote(Peer);
        for (ushort i = 0; i < 50; i++)
        {
            unknown.Deliver(PeerPackets.Audio(i, (uint)(i * 160), frame), Peer);
        }

        Assert.True(processing.GetStatistics().JitterMilliseconds > 15, $"{processing.GetStatistics().JitterMilliseconds} ms");
    }

    [Fact]
    public void OnDatagram_ArrivalsAlternatelyDelayed10Ms_JitterConvergesTo10MsWhateverTheProcessingTimes()
    {
        // RFC 3550 A.8 over the given arrival times: transit alternates 0 and 10 ms, so D is 10 ms
        // every packet and J converges to it; processing times (a steady 20 ms) do not enter.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var transport = new MemoryTransport();
        using var session = new RtpSession(transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), time);
        session.Start();
        session.SetRemote(Peer);
        var frame = new short[160];
        var start = Stopwatch.GetTimestamp();
        var ms = Stopwatch.Frequency / 1000;

        for (ushort i = 0; i < 400; i++)
        {
            var arrival = start + (i * 20 * ms) + (i % 2 == 0 ? 0 : 10 * ms);
            transport.Deliver(PeerPackets.Audio(i, (uint)(i * 160), frame), Peer, arrivalTimestamp: arrival);
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.InRange(session.GetStatistics().JitterMilliseconds, 9.75, 10);
    }
}
