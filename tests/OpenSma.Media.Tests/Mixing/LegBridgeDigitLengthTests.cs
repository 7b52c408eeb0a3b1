using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Codecs;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Mixing;
using OpenSma.Media.Rtp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Mixing;

/// <summary>Relayed key presses keep their real length (RFC 4733 2.5.1.2-2.5.1.4), however long or quick.</summary>
public sealed class LegBridgeDigitLengthTests
{
    private const int Tick = 160;


    /// <summary>The peer holds <paramref name="digit"/> for <paramref name="samples"/>: one packet per tick, 0xFFFF segments, three end packets (unless <paramref name="sendEnd"/> is false).</summary>
    private static void PeerHolds(LegHarness harness, RtpSession leg, char digit, uint timestamp, int samples, ref ushort sequence, bool sendEnd = true)
    {
        var segmentStart = 0;
        var segment = timestamp;
        for (var elapsed = Tick; ; elapsed += Tick)
        {
            if (elapsed >= samples)
            {
                if (sendEnd)
                {
                    for (var i = 0; i < TelephoneEventSender.EndRepeats; i++)
                    {
                        harness.PeerSendsEvent(leg, sequence++, segment, digit, (ushort)(samples - segmentStart), end: true);
                        harness.Tick();
                    }
                }

                return;
            }

            if (elapsed - segmentStart > 0xFFFF)
            {
                harness.PeerSendsEvent(leg, sequence++, segment, digit, 0xFFFF, end: false);
                segmentStart += 0xFFFF;
                segment = unchecked(segment + 0xFFFF);
                harness.Tick();
                continue;
            }

            harness.PeerSendsEvent(leg, sequence++, segment, digit, (ushort)(elapsed - segmentStart), end: false, marker: elapsed == Tick);
            harness.Tick();
        }
    }

    private static List<SentTelephoneEvent> SentEvents(LegHarness harness, RtpSession leg) => harness.SentTelephoneEvents(leg);

    private static void Ticks(LegHarness harness, int count)
    {
        for (var i = 0; i < count; i++)
        {
            harness.Tick();
        }
    }

    /// <summary>Checks one event's packets: marker first only, durations never fall, updates then exactly three ends; returns the final duration.</summary>
    private static int AssertOneEvent(IReadOnlyList<SentTelephoneEvent> packets, char digit)
    {
        Assert.NotEmpty(packets);
        Assert.All(packets, p => Assert.Equal(TelephoneEvent.FromDigit(digit), p.Value.Event));
        Assert.All(packets, p => Assert.Equal(packets[0].Timestamp, p.Timestamp));
        Assert.Equal([true, .. Enumerable.Repeat(false, packets.Count - 1)], packets.Select(p => p.Marker));
        Assert.Equal(3, packets.Count(p => p.Value.End));
        Assert.All(packets.TakeLast(3), p => Assert.True(p.Value.End));
        var durations = packets.Select(p => (int)p.Value.Duration).ToList();
        Assert.Equal(durations.Order(), durations);
        Assert.All(packets.TakeLast(3), p => Assert.Equal(durations[^1], p.Value.Duration));
        return durations[^1];
    }

    [Fact]
    public void Bridge_TwoSecondPress_IsOneEventOnTheOtherLeg_WithUpdatesAndAFinalLengthOfTwoSeconds()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcma);
        using var bridge = new LegBridge(a, b);
        ushort sequence = 1;

        PeerHolds(harness, a, '#', 40_000, 16_000, ref sequence);
        Ticks(harness, 10);

        var packets = SentEvents(harness, b);
        var final = AssertOneEvent(packets, '#');
        Assert.InRange(final, 16_000 - Tick, 16_000 + Tick);
        // The press was followed as it happened: an update per tick, not a fixed 100 ms press.
        Assert.InRange(packets.Count(p => !p.Value.End), 95, 101);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => i * Tick), packets.Take(20).Select(p => (int)p.Value.Duration));
        Assert.False(b.Digits.Reader.TryRead(out _)); // b's peer pressed nothing
    }

    [Fact]
    public void Bridge_PressLongerThanTheDurationField_IsSentInSegments()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        using var bridge = new LegBridge(a, b);
        ushort sequence = 1;

        PeerHolds(harness, a, '0', 1_000, 80_000, ref sequence); // 10 s
        Ticks(harness, 10);

        // A single press on a.
        Assert.True(a.Digits.Reader.TryRead(out var heard) && heard.Digit == '0');
        Assert.False(a.Digits.Reader.TryRead(out _));

        var packets = SentEvents(harness, b);
        var segments = packets.GroupBy(p => p.Timestamp).Select(g => g.ToList()).ToList();
        Assert.Equal(2, segments.Count);
        var first = segments[0];
        var second = segments[1];
        Assert.Equal(unchecked(first[0].Timestamp + 0xFFFF), second[0].Timestamp);

        // Segment 1: marker on its first packet, no end bit, its last three packets carry 0xFFFF.
        Assert.True(first[0].Marker);
        Assert.DoesNotContain(first, p => p.Value.End);
        Assert.All(first.TakeLast(3), p => Assert.Equal(0xFFFF, p.Value.Duration));
        Assert.Equal(first.Select(p => p.Value.Duration).Order(), first.Select(p => p.Value.Duration));

        // Segment 2 continues the press (no marker) and ends it with the rest of its length.
        Assert.DoesNotContain(second, p => p.Marker);
        Assert.Equal(3, second.Count(p => p.Value.End));
        Assert.All(second.TakeLast(3), p => Assert.True(p.Value.End));
        Assert.InRange(0xFFFF + second[^1].Value.Duration, 80_000 - Tick, 80_000 + Tick);

        // A receiver hears one press.
        var receiver = new TelephoneEventReceiver();
        var digits = packets.Select(p => receiver.Process(p.Timestamp, p.Value)).Where(d => d is not null).ToList();
        Assert.Equal(['0'], digits);
    }

    [Fact]
    public void Bridge_QuickPresses_ArriveAsSeparateEventsInOrder()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        using var bridge = new LegBridge(a, b);
        ushort sequence = 1;

        // 60 ms each, 40 ms apart: the end packets of one press overlap the pause before the next.
        var digits = "123";
        for (var k = 0; k < digits.Length; k++)
        {
            var timestamp = (uint)(8_000 + (k * 800));
            harness.PeerSendsEvent(a, sequence++, timestamp, digits[k], 160, end: false, marker: true);
            harness.Tick();
            harness.PeerSendsEvent(a, sequence++, timestamp, digits[k], 320, end: false);
            harness.Tick();
            for (var i = 0; i < 3; i++)
            {
                harness.PeerSendsEvent(a, sequence++, timestamp, digits[k], 480, end: true);
                harness.Tick();
            }
        }

        Ticks(harness, 30);

        var events = SentEvents(harness, b).GroupBy(p => p.Timestamp).Select(g => g.ToList()).ToList();
        Assert.Equal(3, events.Count);
        for (var k = 0; k < 3; k++)
        {
            Assert.Equal(480, AssertOneEvent(events[k], digits[k]));
        }

        Assert.True(events[0][0].Timestamp < events[1][0].Timestamp && events[1][0].Timestamp < events[2][0].Timestamp);
        // Audio between the presses: the next event starts at least the relay gap after the last end packet.
        Assert.True(events[1][0].Timestamp - events[0][0].Timestamp >= 480 + (2 * Tick) + 320);
    }

    [Fact]
    public void Bridge_EndPacketsLost_TheRelayedEventStillEnds_AtTheLengthLastHeard()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        using var bridge = new LegBridge(a, b);
        ushort sequence = 1;

        PeerHolds(harness, a, '5', 9_000, 4_000, ref sequence, sendEnd: false);
        Ticks(harness, 40);

        var packets = SentEvents(harness, b);
        var final = AssertOneEvent(packets, '5');
        Assert.InRange(final, 4_000 - Tick, 4_000 + 480);
        // Then b is back to audio.
        Assert.True(RtpPacket.TryRead(harness.TransportOf(b).SentRtp.Last(), out var header, out _));
        Assert.Equal(0, header.PayloadType);
    }

    [Fact]
    public void Bridge_EndPacketsLost_ThenTheNextPress_BothArriveInOrder()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        using var bridge = new LegBridge(a, b);
        ushort sequence = 1;

        // '1' held for 120 ms, its end packets lost; '2' starts 40 ms later, within the hold timeout.
        PeerHolds(harness, a, '1', 5_000, 960, ref sequence, sendEnd: false);
        harness.Tick();
        PeerHolds(harness, a, '2', 6_280, 480, ref sequence);
        Ticks(harness, 30);

        var events = SentEvents(harness, b).GroupBy(p => p.Timestamp).Select(g => g.ToList()).ToList();
        Assert.Equal(2, events.Count);
        Assert.InRange(AssertOneEvent(events[0], '1'), 960 - (2 * Tick), 960);
        Assert.Equal(480, AssertOneEvent(events[1], '2'));
    }

    [Fact]
    public void Bridge_SipInfoWithDuration_IsRelayedWithThatLength()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        using var bridge = new LegBridge(a, b);

        Assert.True(a.Digits.OnSipInfo('9', TimeSpan.FromMilliseconds(500)));
        Ticks(harness, 40);

        var packets = SentEvents(harness, b);
        Assert.Equal(4_000, AssertOneEvent(packets, '9'));
        // Played out in real time, one update per tick.
        Assert.Equal(24, packets.Count(p => !p.Value.End));
    }

    [Fact]
    public void Bridge_SipInfoWithoutDuration_GetsTheDefaultLength()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        using var bridge = new LegBridge(a, b);

        Assert.True(a.Digits.OnSipInfo('4'));
        Ticks(harness, 20);

        Assert.Equal(PcmAudioSamples(RtpSession.RelayedDefaultLength), AssertOneEvent(SentEvents(harness, b), '4'));
    }

    [Fact]
    public void Bridge_ClosedWhilePressHeld_TheRelayedEventEnds()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        var bridge = new LegBridge(a, b);
        ushort sequence = 1;

        // Held for 300 ms, no end yet.
        PeerHolds(harness, a, '8', 2_000, 2_400, ref sequence, sendEnd: false);
        bridge.Dispose();
        Ticks(harness, 6);

        var final = AssertOneEvent(SentEvents(harness, b), '8');
        Assert.InRange(final, 2_400 - (2 * Tick), 2_400 + Tick);
    }

    [Fact]
    public void RelayPress_FloodToALegWithoutTelephoneEvent_QueuesABoundedNumberOfTones()
    {
        // Each relayed tone is PCM queued on the player (up to 20 s, 320 KB, for an INFO press); a
        // peer signalling presses faster than they play must not grow that queue without bound.
        using var harness = new LegHarness();
        var b = harness.AddLeg(AudioCodec.Pcmu, telephoneEvent: false);
        for (var i = 0; i < 200; i++)
        {
            b.RelayPress(new DigitPress(i + 1, '5', DtmfSource.SipInfo, 10, 480, DigitPressState.Ended, IsStart: true));
        }

        // 60 ms of tone and 40 ms of gap each: 5 ticks.
        Ticks(harness, 5 * 200);

        var detector = new InBandDtmfDetector();
        var found = 0;
        foreach (var datagram in harness.TransportOf(b).SentRtp)
        {
            Assert.True(RtpPacket.TryRead(datagram, out var header, out var payload));
            Assert.Equal(0, header.PayloadType);
            var samples = new short[payload.Length];
            AudioCodec.Pcmu.Decode(payload, samples);
            found += detector.Process(samples) is not null ? 1 : 0;
        }

        Assert.Equal(1 + TelephoneEventSender.MaxQueuedPresses, found);

        // Once they have played, presses are taken again.
        b.RelayPress(new DigitPress(500, '9', DtmfSource.SipInfo, 10, 480, DigitPressState.Ended, IsStart: true));
        var before = harness.TransportOf(b).SentRtp.Count();
        Ticks(harness, 10);
        var heard = false;
        foreach (var datagram in harness.TransportOf(b).SentRtp.Skip(before))
        {
            Assert.True(RtpPacket.TryRead(datagram, out var header, out var payload));
            Assert.Equal(0, header.PayloadType);
            var samples = new short[payload.Length];
            AudioCodec.Pcmu.Decode(payload, samples);
            heard |= detector.Process(samples) == '9';
        }

        Assert.True(heard);
    }

    [Fact]
    public void Bridge_TwoSecondPress_ToALegWithoutTelephoneEvent_IsATwoSecondTone()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu, telephoneEvent: false);
        using var bridge = new LegBridge(a, b);
        ushort sequence = 1;

        PeerHolds(harness, a, '6', 3_000, 16_000, ref sequence);
        Ticks(harness, 120);

        var detector = new InBandDtmfDetector();
        var found = new List<char>();
        var toneSamples = 0;
        foreach (var datagram in harness.TransportOf(b).SentRtp)
        {
            Assert.True(RtpPacket.TryRead(datagram, out var header, out var payload));
            Assert.Equal(0, header.PayloadType);
            var samples = new short[payload.Length];
            AudioCodec.Pcmu.Decode(payload, samples);
            toneSamples += samples.Count(s => Math.Abs(s) > 16);
            if (detector.Process(samples) is { } digit)
            {
                found.Add(digit);
            }
        }

        Assert.Equal(['6'], found);
        // 2 s of tone, give or take the ramps and the zero crossings.
        Assert.InRange(toneSamples, 16_000 - 400, 16_000);
    }

    [Fact]
    public void Bridge_HeldPress_SteadyState_AllocatesNothingPerPacket()
    {
        var time = new FakeTimeProvider();
        var peer = new IPEndPoint(IPAddress.Parse("10.0.0.2"), 30000);
        var source = peer.Serialize();
        using var a = new RtpSession(new CountingTransport(), new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), time);
        var toB = new CountingTransport();
        using var b = new RtpSession(toB, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), time);
        a.SetRemote(peer);
        b.SetRemote(new IPEndPoint(IPAddress.Parse("10.0.0.3"), 30002));
        using var bridge = new LegBridge(a, b);

        // One 40 s press (segments included), one packet per tick, built up front.
        var packets = new List<byte[]>();
        var segmentStart = 0;
        var segment = 1_000u;
        for (var i = 0; i < 2000; i++)
        {
            var elapsed = (i + 1) * Tick;
            if (elapsed - segmentStart > 0xFFFF)
            {
                packets.Add(PeerPackets.Event(101, (ushort)i, segment, '1', 0xFFFF, end: false));
                segmentStart += 0xFFFF;
                segment += 0xFFFF;
                continue;
            }

            packets.Add(PeerPackets.Event(101, (ushort)i, segment, '1', (ushort)(elapsed - segmentStart), end: false, marker: i == 0));
        }

        void Run(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                a.OnDatagram(packets[i], source, rtcp: false);
                a.OnTick(i + 1);
                b.OnTick(i + 1);
            }
        }

        Run(0, 500); // warm up: the press starts, first-use paths

        // The least of three windows (as RtpSessionAllocationTests: a runtime tier-up may land in one).
        var allocated = new List<long>();
        for (var from = 500; from < 2000; from += 500)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Run(from, from + 500);
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(allocated.Min() == 0, "allocated bytes per 500 packets: " + string.Join(", ", allocated));
        Assert.True(toB.EventPackets >= 1990, $"b sent {toB.EventPackets} event packets"); // the press was relayed all along
    }

    private sealed class CountingTransport : IMediaTransport
    {
        public int EventPackets { get; private set; }

        public int LocalRtpPort => 40000;

        public void Start(IMediaTransportReceiver receiver)
        {
        }

        public bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination, bool rtcp)
        {
            if (!rtcp && datagram.Length > 1 && (datagram[1] & 0x7F) == 101)
            {
                EventPackets++;
            }

            return true;
        }

        public void Dispose()
        {
        }
    }

    private static int PcmAudioSamples(TimeSpan length) => OpenSma.Media.Audio.PcmAudio.SamplesFor(length);
}
