using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Codecs;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Playback;
using OpenSma.Media.Rtp;
using OpenSma.Media.Sdp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Rtp;

public sealed class RtpSessionTests : IDisposable
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("10.1.1.1"), 30000);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MediaClock _clock;
    private readonly MemoryTransport _transport = new();
    private readonly RtpSession _session;

    public RtpSessionTests()
    {
        _clock = new MediaClock(_time);
        _session = new RtpSession(_transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), _time);
        _session.Start();
        _session.SetRemote(Peer);
        _clock.Subscribe(_session);
    }

    public void Dispose()
    {
        _clock.Dispose();
        _session.Dispose();
    }

    private void Ticks(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
        }
    }

    private List<(RtpHeader Header, byte[] Payload)> SentRtp() =>
        _transport.SentRtp.Select(d =>
        {
            Assert.True(RtpPacket.TryRead(d, out var h, out var p));
            return (h, p.ToArray());
        }).ToList();

    [Fact]
    public void OnTick_Idle_SendsSilenceEvery20MsWithContinuousNumbering()
    {
        Ticks(50);

        var sent = SentRtp();
        Assert.Equal(50, sent.Count);
        Assert.True(sent[0].Header.Marker);
        for (var i = 1; i < sent.Count; i++)
        {
            Assert.False(sent[i].Header.Marker);
            Assert.Equal((ushort)(sent[0].Header.SequenceNumber + i), sent[i].Header.SequenceNumber);
            Assert.Equal(unchecked(sent[0].Header.Timestamp + (uint)(160 * i)), sent[i].Header.Timestamp);
            Assert.Equal(_session.Ssrc, sent[i].Header.Ssrc);
        }

        Assert.All(sent, p => Assert.All(p.Payload, b => Assert.Equal(0xFF, b))); // mu-law silence
        Assert.All(_transport.Sent.Where(s => !s.Rtcp), s => Assert.Equal(Peer, s.Destination));
    }

    [Fact]
    public async Task OnTick_PlaybackSegments_StayOnOneContinuousTimeline()
    {
        var first = _session.Player.Play(ToneGenerator.Beep(TimeSpan.FromMilliseconds(100)));
        Ticks(5);
        Assert.Equal(PlaybackOutcome.Completed, await first);
        Ticks(3);
        var second = _session.Player.Play(ToneGenerator.Beep(TimeSpan.FromMilliseconds(60), 500));
        Ticks(4);

        Assert.Equal(PlaybackOutcome.Completed, await second);
        var sent = SentRtp();
        Assert.Equal(12, sent.Count);
        Assert.Single(sent, p => p.Header.Marker);
        for (var i = 1; i < sent.Count; i++)
        {
            Assert.Equal(unchecked(sent[i - 1].Header.Timestamp + 160), sent[i].Header.Timestamp);
        }

        var decoded = new short[160];
        AudioCodec.Pcmu.Decode(sent[9].Payload, decoded);
        Assert.True(Signal.Amplitude(decoded, 500) > 10000);
    }

    [Fact]
    public void OnDatagram_FromNatAddress_LatchesAndSendsThere()
    {
        var nat = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 41000);
        Ticks(1);

        _transport.Deliver(PeerPackets.Audio(1, 0, new short[160]), nat);
        Ticks(1);

        Assert.True(_session.IsLatched);
        Assert.Equal(nat, _transport.Sent.Last(s => !s.Rtcp).Destination);
    }

    [Fact]
    public void OnDatagram_Audio_DecodedToInboundSinks()
    {
        var sink = new CollectingSink();
        _session.AddInboundSink(sink);
        var tone = ToneGenerator.Beep(TimeSpan.FromMilliseconds(20)).Samples.ToArray();

        _transport.Deliver(PeerPackets.Audio(1, 0, tone), Peer);

        Assert.Equal(160, sink.Samples.Count);
        Assert.True(Signal.Amplitude(sink.Samples.ToArray(), 1000) > 12000);
        Assert.Equal(1, _session.GetStatistics().PacketsReceived);
    }

    [Fact]
    public void OnDatagram_UnnegotiatedPayloadOrGarbage_IsCountedAndDropped()
    {
        var sink = new CollectingSink();
        _session.AddInboundSink(sink);

        _transport.Deliver(PeerPackets.Audio(1, 0, new short[160], codec: AudioCodec.Pcma), Peer);
        _transport.Deliver([1, 2, 3], Peer);

        Assert.Empty(sink.Samples);
        var stats = _session.GetStatistics();
        Assert.Equal(1, stats.PacketsRejected);
        Assert.Equal(1, stats.MalformedPackets);
    }

    [Fact]
    public async Task OnDatagram_TelephoneEvents_ReportOneDigitPerPress()
    {
        // A press of '5' with three end packets, then '9' whose first packets were lost.
        _transport.Deliver(PeerPackets.Event(101, 1, 1000, '5', 160, false, marker: true), Peer);
        _transport.Deliver(PeerPackets.Event(101, 2, 1000, '5', 320, false), Peer);
        _transport.Deliver(PeerPackets.Event(101, 3, 1000, '5', 480, true), Peer);
        _transport.Deliver(PeerPackets.Event(101, 4, 1000, '5', 480, true), Peer);
        _transport.Deliver(PeerPackets.Event(101, 5, 1000, '5', 480, true), Peer);
        _transport.Deliver(PeerPackets.Event(101, 9, 5000, '9', 800, true), Peer);

        Assert.Equal('5', (await _session.Digits.Reader.ReadAsync()).Digit);
        var nine = await _session.Digits.Reader.ReadAsync();
        Assert.Equal('9', nine.Digit);
        Assert.Equal(DtmfSource.Rfc4733, nine.Source);
        Assert.False(_session.Digits.Reader.TryRead(out _));
    }

    [Fact]
    public async Task OnDatagram_InBandTone_ReportsDigit()
    {
        var tone = PcmAudio.Concat(ToneGenerator.Dtmf('7', TimeSpan.FromMilliseconds(100)), PcmAudio.Silence(TimeSpan.FromMilliseconds(60)));
        for (var i = 0; i < tone.Length / 160; i++)
        {
            _transport.Deliver(PeerPackets.Audio((ushort)i, (uint)(i * 160), tone.Samples.Span.Slice(i * 160, 160)), Peer);
        }

        var digit = await _session.Digits.Reader.ReadAsync();
        Assert.Equal('7', digit.Digit);
        Assert.Equal(DtmfSource.InBand, digit.Source);
        Assert.False(_session.Digits.Reader.TryRead(out _));
    }

    [Fact]
    public async Task SendDigitsAsync_SendsRfc4733EventsWithEndTriplesThenResumesAudio()
    {
        var done = _session.SendDigitsAsync("12", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(40));
        Ticks(30);

        Assert.True(await done);
        var events = SentRtp().Where(p => p.Header.PayloadType == 101).ToList();
        Assert.Equal(14, events.Count); // per digit: 4 progress + 3 end packets
        var firstDigit = events.Take(7).ToList();
        Assert.True(firstDigit[0].Header.Marker);
        Assert.All(firstDigit, p => Assert.Equal(firstDigit[0].Header.Timestamp, p.Header.Timestamp));
        Assert.Equal(new ushort[] { 160, 320, 480, 640, 800, 800, 800 }, firstDigit.Select(p => Duration(p.Payload)));
        Assert.Equal(new[] { false, false, false, false, true, true, true }, firstDigit.Select(p => (p.Payload[1] & 0x80) != 0));
        Assert.All(firstDigit, p => Assert.Equal(1, p.Payload[0]));
        Assert.All(events.Skip(7), p => Assert.Equal(2, p.Payload[0]));
        Assert.True(events[7].Header.Marker);
        var all = SentRtp();
        for (var i = 1; i < all.Count; i++)
        {
            Assert.Equal((ushort)(all[i - 1].Header.SequenceNumber + 1), all[i].Header.SequenceNumber);
        }

        Assert.Equal(0, all[^1].Header.PayloadType);
    }

    [Fact]
    public void PeerInactive_NoPacketsForTimeout_Completes()
    {
        Ticks(1400); // 28 s
        Assert.False(_session.PeerInactive.IsCompleted);
        _transport.Deliver(PeerPackets.Audio(1, 0, new short[160]), Peer);
        Ticks(1400);
        Assert.False(_session.PeerInactive.IsCompleted);

        Ticks(200);

        Assert.True(_session.PeerInactive.IsCompleted);
    }

    [Fact]
    public void PeerInactive_OnHold_DoesNotFire()
    {
        _session.Update(_session.Options with { Direction = MediaDirection.SendOnly });

        Ticks(3000);

        Assert.False(_session.PeerInactive.IsCompleted);
    }

    [Fact]
    public void Update_Inactive_StopsSendingButKeepsTimeline()
    {
        Ticks(2);
        _session.Update(_session.Options with { Direction = MediaDirection.Inactive });
        Ticks(5);
        _session.Update(_session.Options with { Direction = MediaDirection.SendRecv, Codec = AudioCodec.Pcma, AudioPayloadType = 8 });
        Ticks(1);

        var sent = SentRtp();
        Assert.Equal(3, sent.Count);
        Assert.True(sent[2].Header.Marker);
        Assert.Equal(8, sent[2].Header.PayloadType);
        Assert.Equal(unchecked(sent[1].Header.Timestamp + (6 * 160)), sent[2].Header.Timestamp);
        Assert.Equal((ushort)(sent[1].Header.SequenceNumber + 1), sent[2].Header.SequenceNumber);
    }

    [Fact]
    public void OnTick_EveryFiveSeconds_SendsRtcpReportWithReceptionStats()
    {
        for (var i = 0; i < 100; i++)
        {
            if (i % 4 != 0)
            {
                _transport.Deliver(PeerPackets.Audio((ushort)i, (uint)(i * 160), new short[160]), Peer);
            }
        }

        Ticks(250);

        var rtcp = _transport.Sent.Where(s => s.Rtcp).ToList();
        Assert.Single(rtcp);
        Assert.Equal(new IPEndPoint(Peer.Address, Peer.Port + 1), rtcp[0].Destination);
        Assert.True(RtcpPacket.TryRead(rtcp[0].Datagram, 0x5EED, out var report));
        Assert.Equal(_session.Ssrc, report.SenderSsrc);
        Assert.Equal(250u, report.SenderInfo!.Value.PacketCount);
        Assert.Equal(24, report.AboutUs!.Value.CumulativeLost);
        Assert.Equal(62, report.AboutUs!.Value.FractionLost); // 24/99 * 256 = 62.06
    }

    [Fact]
    public void OnDatagram_RtcpReportAboutUs_GivesRoundTripTime()
    {
        Ticks(250); // we send an SR at 5 s
        var ourSr = _transport.Sent.Single(s => s.Rtcp).Datagram;
        var ntp = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(ourSr.AsSpan(8));
        _time.Advance(TimeSpan.FromMilliseconds(5)); // not a whole tick; no new packets
        var reply = new byte[128];
        // The peer held our SR for 0.25 s (DLSR) and it arrives 0.3 s after we sent it: RTT 50 ms.
        _time.Advance(TimeSpan.FromMilliseconds(295));
        var length = RtcpPacket.WriteCompound(reply, 0x5EED, null, new RtcpReportBlock(_session.Ssrc, 12, 3, 100, 16, (uint)(ntp >> 16), 65536 / 4), "peer");

        _transport.Deliver(reply[..length], new IPEndPoint(Peer.Address, Peer.Port + 1), rtcp: true);

        var stats = _session.GetStatistics();
        Assert.Equal((byte)12, stats.RemoteFractionLost);
        Assert.Equal(2.0, stats.RemoteJitterMilliseconds);
        Assert.InRange(stats.RoundTripTime!.Value.TotalMilliseconds, 49, 51);
    }

    [Fact]
    public void OnDatagram_RtcpReportQueuedBeforeProcessing_RoundTripCountsFromItsArrival()
    {
        Ticks(250);
        var ourSr = _transport.Sent.Single(s => s.Rtcp).Datagram;
        var ntp = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(ourSr.AsSpan(8));
        _time.Advance(TimeSpan.FromMilliseconds(300));
        var reply = new byte[128];
        var length = RtcpPacket.WriteCompound(reply, 0x5EED, null, new RtcpReportBlock(_session.Ssrc, 12, 3, 100, 16, (uint)(ntp >> 16), 65536 / 4), "peer");

        // Processed 300 ms after our SR (RTT 50 ms by processing time), but the kernel had it at
        // least 20 ms earlier (more if this thread is descheduled meanwhile): RTT at most 30 ms.
        var arrival = System.Diagnostics.Stopwatch.GetTimestamp() - (System.Diagnostics.Stopwatch.Frequency / 50);
        _transport.Deliver(reply[..length], new IPEndPoint(Peer.Address, Peer.Port + 1), rtcp: true, arrivalTimestamp: arrival);

        Assert.NotNull(_session.GetStatistics().RoundTripTime);
        Assert.InRange(_session.GetStatistics().RoundTripTime!.Value.TotalMilliseconds, 0, 30.1);
    }

    [Fact]
    public async Task Dispose_StopsPlaybackAndClosesTransport()
    {
        var playing = _session.Player.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(5)));

        _session.Dispose();
        Ticks(5);

        Assert.Equal(PlaybackOutcome.Stopped, await playing);
        Assert.True(_transport.Disposed);
        Assert.Empty(_transport.Sent);
    }

    private static ushort Duration(byte[] payload) => (ushort)((payload[2] << 8) | payload[3]);

    private sealed class CollectingSink : IAudioSink
    {
        public List<short> Samples { get; } = [];

        public void OnFrame(ReadOnlySpan<short> frame) => Samples.AddRange(frame);
    }
}
