using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Codecs;
using OpenSma.Media.Rtp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>The steady-state packet paths must not allocate: at 2,000 streams that is 200,000 packets a second.</summary>
public sealed class RtpSessionAllocationTests
{
    private sealed class NullTransport : IMediaTransport
    {
        public long Sent { get; private set; }

        public int LocalRtpPort => 40000;

        public void Start(IMediaTransportReceiver receiver)
        {
        }

        public bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination, bool rtcp)
        {
            Sent++;
            return true;
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public void OnTickAndOnDatagram_SteadyState_AllocateNothing()
    {
        var time = new FakeTimeProvider();
        var transport = new NullTransport();
        using var session = new RtpSession(transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), time);
        var peer = new IPEndPoint(IPAddress.Parse("10.0.0.2"), 30000);
        session.SetRemote(peer);
        var source = peer.Serialize();
        _ = session.Player.Play(ToneGenerator.Beep(TimeSpan.FromMinutes(1)));
        var speech = ToneGenerator.Dtmf('5', TimeSpan.FromSeconds(30)).Samples.ToArray();
        var packets = Enumerable.Range(0, 2000)
            .Select(i => PeerPackets.Audio((ushort)i, (uint)(i * 160), speech.AsSpan((i % 100) * 160, 160)))
            .ToArray();

        void Run(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                session.OnDatagram(packets[i], source, rtcp: false);
                session.OnTick(i + 1);
            }
        }

        Run(0, 500); // warm up: first-use paths, digit channel, RTCP report

        // The least of three windows: a per-packet allocation shows in every window, while a
        // one-off allocation by the runtime on this thread (a method's tier-up landing mid-run on a
        // busy machine) can show in one.
        var allocated = new List<long>();
        for (var from = 500; from < 2000; from += 500)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Run(from, from + 500);
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(allocated.Min() == 0, "allocated bytes per 500 packets: " + string.Join(", ", allocated));
        Assert.True(transport.Sent >= 2000);
    }

    [Fact]
    public void Ptime10ThroughAClock_SteadyState_AllocatesNothing()
    {
        // Every tick's second 10 ms packet waits in the clock's deferred sends until 10 ms later.
        var time = new SteppedTime();
        var transport = new NullTransport();
        using var clock = new MediaClock(time);
        using var session = new RtpSession(transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101) { PacketTimeMilliseconds = 10 }, time);
        session.SetRemote(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 30000));
        _ = session.Player.Play(ToneGenerator.Beep(TimeSpan.FromMinutes(1)));
        using var subscription = clock.Subscribe(session);

        void Run(int steps)
        {
            for (var i = 0; i < steps; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(10));
            }
        }

        Run(1000); // warm up, RTCP report included

        var allocated = new List<long>();
        for (var window = 0; window < 3; window++)
        {
            var sent = transport.Sent;
            var before = GC.GetAllocatedBytesForCurrentThread();
            Run(1000);
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.True(transport.Sent - sent >= 999, $"{transport.Sent - sent} packets in 10 s");
        }

        Assert.True(allocated.Min() == 0, "allocated bytes per 1,000 packets: " + string.Join(", ", allocated));
    }
}
