using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Clock;
using OpenSma.Media.Codecs;
using OpenSma.Media.Rtp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>RTCP multiplexed on the RTP port (RFC 5761) once offer/answer agreed it.</summary>
public sealed class RtpSessionRtcpMuxTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("10.1.1.1"), 30000);

    private static RtpSessionOptions Muxed => new(AudioCodec.Pcmu, 0, 101) { RtcpMux = true };

    [Fact]
    public void OnTick_RtcpMux_ReportLeavesFromTheRtpSocketToThePeersRtpPort()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var transport = new MemoryTransport();
        using var session = new RtpSession(transport, Muxed, time);
        session.Start();
        session.SetRemote(Peer);
        clock.Subscribe(session);

        for (var i = 0; i < 250; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.DoesNotContain(transport.Sent, s => s.Rtcp);
        var reports = transport.Sent.Where(s => s.Datagram[1] is >= 200 and <= 204).ToList();
        var report = Assert.Single(reports);
        Assert.Equal(Peer, report.Destination);
        Assert.True(RtcpPacket.TryRead(report.Datagram, 0, out var parsed));
        Assert.Equal(session.Ssrc, parsed.SenderSsrc);
        Assert.Equal(250, transport.Sent.Count - 1);
    }

    [Fact]
    public void SetRemote_WithoutMux_RtcpStillGoesToTheNextPortOnTheRtcpSocket()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var transport = new MemoryTransport();
        using var session = new RtpSession(transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), time);
        session.Start();
        session.SetRemote(Peer);
        clock.Subscribe(session);

        for (var i = 0; i < 250; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        var report = Assert.Single(transport.Sent, s => s.Rtcp);
        Assert.Equal(new IPEndPoint(Peer.Address, Peer.Port + 1), report.Destination);
    }

    [Fact]
    public async Task RtcpMux_OverLoopbackUdp_EachSideGetsTheOthersReportOnItsRtpPort()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var ports = new RtpPortAllocator(32200, 32219);
        var leaseA = ports.TryAllocate(IPAddress.Loopback) ?? throw new InvalidOperationException("no ports");
        var leaseB = ports.TryAllocate(IPAddress.Loopback) ?? throw new InvalidOperationException("no ports");
        using var a = new RtpSession(new UdpMediaTransport(leaseA), Muxed, time);
        using var b = new RtpSession(new UdpMediaTransport(leaseB), Muxed, time);
        a.Start();
        b.Start();
        a.SetRemote(new IPEndPoint(IPAddress.Loopback, b.LocalRtpPort));
        b.SetRemote(new IPEndPoint(IPAddress.Loopback, a.LocalRtpPort));
        clock.Subscribe(a);
        clock.Subscribe(b);

        // Both send audio; once each has received the other's stream (delivery is real, time is
        // stepped), the report due at 5 s carries a block about the other.
        using var timeout = new CancellationTokenSource(Patience);
        for (var i = 0; i < 100; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        while (a.GetStatistics().PacketsReceived < 100 || b.GetStatistics().PacketsReceived < 100)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }

        for (var i = 0; i < 160; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        while (a.GetStatistics().RemoteFractionLost is null || b.GetStatistics().RemoteFractionLost is null)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }

        Assert.Equal((byte)0, a.GetStatistics().RemoteFractionLost);
        Assert.Equal((byte)0, b.GetStatistics().RemoteFractionLost);
        Assert.Equal(0, a.GetStatistics().MalformedPackets);
        Assert.Equal(0, b.GetStatistics().MalformedPackets);
    }
}
