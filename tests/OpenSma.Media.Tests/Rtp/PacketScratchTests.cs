using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Audio;
using OpenSma.Media.Codecs;
using OpenSma.Media.Playback;
using OpenSma.Media.Rtp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>
/// Sessions share their packet and tick buffers per thread (<see cref="PacketScratch"/>): legs
/// served by the same thread, one after another or one inside another, must never see each
/// other's audio.
/// </summary>
public sealed class PacketScratchTests
{
    private static readonly IPEndPoint PeerA = new(IPAddress.Parse("10.7.0.1"), 30000);
    private static readonly IPEndPoint PeerB = new(IPAddress.Parse("10.7.0.2"), 30002);
    private static readonly IPEndPoint PeerC = new(IPAddress.Parse("10.7.0.3"), 30004);
    private readonly FakeTimeProvider _time = new();

    private static PcmAudio Pattern(int frames, int start, int step) =>
        new([.. Enumerable.Range(0, frames * PcmAudio.SamplesPerFrame).Select(i => (short)(start + ((i % 97) * step)))]);

    private static byte[] Encode(AudioCodec codec, ReadOnlySpan<short> samples)
    {
        var payload = new byte[samples.Length];
        codec.Encode(samples, payload);
        return payload;
    }

    private static List<byte[]> Payloads(MemoryTransport transport) =>
        [.. transport.SentRtp.Select(d =>
        {
            Assert.True(RtpPacket.TryRead(d, out _, out var payload));
            return payload.ToArray();
        })];

    private static void AssertSent(PcmAudio audio, AudioCodec codec, List<byte[]> payloads, int frames)
    {
        Assert.Equal(frames, payloads.Count);
        for (var i = 0; i < frames; i++)
        {
            var expected = Encode(codec, audio.Samples.Span.Slice(i * PcmAudio.SamplesPerFrame, PcmAudio.SamplesPerFrame));
            Assert.True(expected.AsSpan().SequenceEqual(payloads[i]), $"frame {i} is not this leg's audio");
        }
    }

    [Fact]
    public void TwoSessions_InterleavedTicksOnOneThread_EachSendsItsOwnAudio()
    {
        var transportA = new MemoryTransport(40000);
        var transportB = new MemoryTransport(40002);
        using var a = new RtpSession(transportA, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), _time);
        using var b = new RtpSession(transportB, new RtpSessionOptions(AudioCodec.Pcma, 8, 101), _time);
        a.SetRemote(PeerA);
        b.SetRemote(PeerB);
        var audioA = Pattern(10, 1000, 40);
        var audioB = Pattern(10, -3000, -25);
        _ = a.Player.Play(audioA);
        _ = b.Player.Play(audioB);

        for (var tick = 1; tick <= 10; tick++)
        {
            a.OnTick(tick);
            b.OnTick(tick);
        }

        AssertSent(audioA, AudioCodec.Pcmu, Payloads(transportA), 10);
        AssertSent(audioB, AudioCodec.Pcma, Payloads(transportB), 10);
    }

    [Fact]
    public void TwoSessions_InterleavedPacketsOnOneThread_EachSinkHearsItsOwnPeer()
    {
        var transportA = new MemoryTransport(40000);
        var transportB = new MemoryTransport(40002);
        using var a = new RtpSession(transportA, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), _time);
        using var b = new RtpSession(transportB, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), _time);
        a.Start();
        b.Start();
        a.SetRemote(PeerA);
        b.SetRemote(PeerB);
        var heardA = new FrameLog();
        var heardB = new FrameLog();
        using var sinkA = a.AddInboundSink(heardA);
        using var sinkB = b.AddInboundSink(heardB);
        var audioA = Pattern(6, 2000, 30);
        var audioB = Pattern(6, -1500, 45);

        for (var i = 0; i < 6; i++)
        {
            // B's peer sends 10 ms packets: a shorter frame must not carry the tail of A's.
            var frameA = audioA.Samples.Span.Slice(i * 160, 160);
            var frameB = audioB.Samples.Span.Slice(i * 160, 80);
            transportA.Deliver(PeerPackets.Audio((ushort)i, (uint)(i * 160), frameA), PeerA);
            transportB.Deliver(PeerPackets.Audio((ushort)i, (uint)(i * 80), frameB, ssrc: 0xB0B), PeerB);
        }

        Assert.Equal(6, heardA.Frames.Count);
        Assert.Equal(6, heardB.Frames.Count);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(RoundTrip(audioA.Samples.Span.Slice(i * 160, 160)), heardA.Frames[i]);
            Assert.Equal(RoundTrip(audioB.Samples.Span.Slice(i * 160, 80)), heardB.Frames[i]);
        }
    }

    [Fact]
    public void NestedTick_InsideAnotherSessionsSend_DoesNotOverwriteTheDatagramBeingSent()
    {
        // A's transport hands each datagram to B at once (an in-memory loopback); B's sink makes C
        // tick on the same thread while A's send is still in progress. A's datagram is recorded
        // after that, so a buffer shared with C would show C's packet.
        var transportB = new MemoryTransport(40002);
        var transportC = new MemoryTransport(40004);
        using var b = new RtpSession(transportB, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), _time);
        using var c = new RtpSession(transportC, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), _time);
        var transportA = new LoopbackTransport(b, PeerA);
        using var a = new RtpSession(transportA, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), _time);
        b.Start();
        b.SetRemote(PeerA);
        c.SetRemote(PeerC);
        a.SetRemote(PeerB);
        var heardB = new FrameLog();
        long cTick = 0;
        using var nested = b.AddInboundSink(new CallbackSink(() => c.OnTick(++cTick)));
        using var sinkB = b.AddInboundSink(heardB);
        var audioA = Pattern(8, 500, 60);
        var audioC = Pattern(8, -4000, 35);
        _ = a.Player.Play(audioA);
        _ = c.Player.Play(audioC);

        for (var tick = 1; tick <= 8; tick++)
        {
            a.OnTick(tick);
        }

        AssertSent(audioA, AudioCodec.Pcmu, [.. transportA.Sent.Select(d => RtpPacket.TryRead(d, out _, out var p) ? p.ToArray() : [])], 8);
        AssertSent(audioC, AudioCodec.Pcmu, Payloads(transportC), 8);
        Assert.Equal(8, heardB.Frames.Count);
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(RoundTrip(audioA.Samples.Span.Slice(i * 160, 160)), heardB.Frames[i]);
        }
    }

    [Fact]
    public void OnTick_SourceThatWritesNothing_SendsSilenceNotTheLastLegsAudio()
    {
        var transportA = new MemoryTransport(40000);
        var transportB = new MemoryTransport(40002);
        using var a = new RtpSession(transportA, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), _time);
        using var b = new RtpSession(transportB, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), _time);
        a.SetRemote(PeerA);
        b.SetRemote(PeerB);
        _ = a.Player.Play(Pattern(3, 6000, 50));
        b.OutboundSource = new SilentSource();

        for (var tick = 1; tick <= 3; tick++)
        {
            a.OnTick(tick);
            b.OnTick(tick);
        }

        Assert.All(Payloads(transportB), p => Assert.All(p, x => Assert.Equal(0xFF, x))); // mu-law silence
    }

    [Fact]
    public void Rent_NestedOnOneThread_GivesDistinctSetsAndReusesThem()
    {
        var outer = PacketScratch.Rent();
        var inner = PacketScratch.Rent();
        Assert.NotSame(outer, inner);
        Assert.NotSame(outer.Datagram, inner.Datagram);
        PacketScratch.Return(inner);
        PacketScratch.Return(outer);

        // Once the thread has two sets, the same nesting takes them again and allocates nothing.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var again = PacketScratch.Rent();
        var againInner = PacketScratch.Rent();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        PacketScratch.Return(againInner);
        PacketScratch.Return(again);

        Assert.Equal(0, allocated);
        Assert.Same(outer, again);
        Assert.Same(inner, againInner);
    }

    private static short[] RoundTrip(ReadOnlySpan<short> samples)
    {
        var decoded = new short[samples.Length];
        AudioCodec.Pcmu.Decode(Encode(AudioCodec.Pcmu, samples), decoded);
        return decoded;
    }

    private sealed class FrameLog : IAudioSink
    {
        public List<short[]> Frames { get; } = [];

        public void OnFrame(ReadOnlySpan<short> frame) => Frames.Add(frame.ToArray());
    }

    private sealed class CallbackSink(Action onFrame) : IAudioSink
    {
        public void OnFrame(ReadOnlySpan<short> frame) => onFrame();
    }

    private sealed class SilentSource : IAudioSource
    {
        public void ReadFrame(Span<short> frame)
        {
        }
    }

    /// <summary>Delivers every sent datagram to <paramref name="peer"/> before recording it.</summary>
    private sealed class LoopbackTransport(RtpSession peer, IPEndPoint from) : IMediaTransport
    {
        public List<byte[]> Sent { get; } = [];

        public int LocalRtpPort => from.Port;

        public void Start(IMediaTransportReceiver receiver)
        {
        }

        public bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination, bool rtcp)
        {
            peer.OnDatagram(datagram, from.Serialize(), rtcp);
            if (!rtcp)
            {
                Sent.Add(datagram.ToArray());
            }

            return true;
        }

        public void Dispose()
        {
        }
    }
}
