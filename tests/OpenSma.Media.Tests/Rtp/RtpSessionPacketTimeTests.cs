using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Codecs;
using OpenSma.Media.Rtp;
using OpenSma.Media.Sdp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>Outbound packets of the peer's ptime, on stepped time (the clock still ticks every 20 ms).</summary>
public sealed class RtpSessionPacketTimeTests : IDisposable
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("10.1.1.1"), 30000);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MediaClock _clock;
    private readonly MemoryTransport _transport = new();
    private RtpSession? _session;

    public RtpSessionPacketTimeTests()
    {
        _clock = new MediaClock(_time);
    }

    public void Dispose()
    {
        _clock.Dispose();
        _session?.Dispose();
    }

    private RtpSession Start(int ptime, AudioCodec? codec = null)
    {
        codec ??= AudioCodec.Pcmu;
        _session = new RtpSession(_transport, new RtpSessionOptions(codec, codec.StaticPayloadType, 101) { PacketTimeMilliseconds = ptime }, _time);
        _session.Start();
        _session.SetRemote(Peer);
        _clock.Subscribe(_session);
        return _session;
    }

    private void Ticks(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
        }
    }

    private List<(RtpHeader Header, byte[] Payload)> Sent() =>
        _transport.SentRtp.Select(d =>
        {
            Assert.True(RtpPacket.TryRead(d, out var h, out var p));
            return (h, p.ToArray());
        }).ToList();

    // A prompt whose every sample is distinct enough to show the order it went out in.
    private static PcmAudio Ramp(int samples) =>
        new(Enumerable.Range(0, samples).Select(i => (short)(((i % 400) - 200) * 100)).ToArray());

    [Theory]
    [InlineData(10)]
    [InlineData(30)]
    [InlineData(40)]
    [InlineData(60)]
    public void OnTick_PacketTime_PacketsCarryPtimeTimes8SamplesWithTimestampsAdvancingAsMuch(int ptime)
    {
        var session = Start(ptime);
        var prompt = Ramp(8 * 1200);
        _ = session.Player.Play(prompt);

        Ticks(60); // 1.2 s: a whole number of packets for every ptime above
        _time.Advance(TimeSpan.FromMilliseconds(19)); // the last tick's last 10 or 30 ms packet is due up to 10 ms after it

        var sent = Sent();
        var samples = ptime * 8;
        Assert.Equal(1200 / ptime, sent.Count);
        Assert.True(sent[0].Header.Marker);
        for (var i = 0; i < sent.Count; i++)
        {
            Assert.Equal(samples, sent[i].Payload.Length);
            Assert.Equal(unchecked(sent[0].Header.Timestamp + (uint)(samples * i)), sent[i].Header.Timestamp);
            Assert.Equal(unchecked((ushort)(sent[0].Header.SequenceNumber + i)), sent[i].Header.SequenceNumber);
            Assert.Equal(i == 0, sent[i].Header.Marker);
        }

        // The payloads, joined, are the prompt in order.
        var decoded = new short[sent.Count * samples];
        for (var i = 0; i < sent.Count; i++)
        {
            AudioCodec.Pcmu.Decode(sent[i].Payload, decoded.AsSpan(i * samples, samples));
        }

        var expected = new byte[prompt.Samples.Length];
        AudioCodec.Pcmu.Encode(prompt.Samples.Span, expected);
        var roundTrip = new short[expected.Length];
        AudioCodec.Pcmu.Decode(expected, roundTrip);
        Assert.Equal(roundTrip, decoded);
    }

    [Fact]
    public void OnTick_Ptime30_PacketsLeave30MillisecondsApart()
    {
        Start(30);
        var counts = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            Ticks(1);
            counts.Add(_transport.SentRtp.Count());
        }

        // 160 samples a tick, 240 per packet, due at 40, 70, 100, 130 ms (RtpSessionPacketPacingTests).
        Assert.Equal([0, 1, 1, 2, 3, 3], counts);
    }

    [Fact]
    public void OnTick_Ptime10_TwoPacketsPerTick()
    {
        Start(10, AudioCodec.Pcma);
        Ticks(3);
        _time.Advance(TimeSpan.FromMilliseconds(10)); // the third tick's second packet

        var sent = Sent();
        Assert.Equal(6, sent.Count);
        Assert.All(sent, p => Assert.Equal(80, p.Payload.Length));
        Assert.All(sent, p => Assert.Equal(8, p.Header.PayloadType));
        Assert.All(sent, p => Assert.All(p.Payload, b => Assert.Equal(0xD5, b))); // A-law silence
    }

    [Fact]
    public void OnTick_Ptime40AcrossHold_MarkerAfterResumeAndTimestampsFollowRealTime()
    {
        var session = Start(40);
        Ticks(4);
        var beforeHold = Sent();
        session.Update(session.Options with { Direction = MediaDirection.RecvOnly });
        Ticks(5);
        session.Update(session.Options with { Direction = MediaDirection.SendRecv });
        Ticks(4);

        var sent = Sent();
        Assert.Equal(2, beforeHold.Count);
        Assert.Equal(4, sent.Count);
        var resumed = sent[2];
        Assert.True(resumed.Header.Marker);
        Assert.False(sent[3].Header.Marker);

        // 13 ticks: sent at ticks 2 and 4; held through ticks 5-9; resumed audio starts at tick 10.
        Assert.Equal(unchecked(sent[0].Header.Timestamp + (9 * 160)), resumed.Header.Timestamp);
        Assert.Equal(unchecked(resumed.Header.Timestamp + 320), sent[3].Header.Timestamp);
    }

    [Fact]
    public void OnTick_Ptime30WithTelephoneEvent_EventPacketsEveryTickAndAudioResumesAfter()
    {
        var session = Start(30);
        Ticks(3);
        var sent = session.DigitSender.Send("5", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(40));
        Ticks(20);

        Assert.True(sent.IsCompleted);
        var packets = Sent();
        var events = packets.Where(p => p.Header.PayloadType == 101).ToList();
        var audio = packets.Where(p => p.Header.PayloadType == 0).ToList();
        Assert.InRange(events.Count, 7, 8); // the 100 ms press and its three end packets
        Assert.All(audio, p => Assert.Equal(240, p.Payload.Length));
        Assert.Contains(audio, p => p.Header.SequenceNumber > events[^1].Header.SequenceNumber);
        var sequence = packets.Select(p => (int)p.Header.SequenceNumber).ToList();
        Assert.Equal(Enumerable.Range(sequence[0], sequence.Count), sequence.Select((s, i) => s < sequence[0] ? s + 65536 : s));
    }
}
