using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Audio;
using OpenSma.Media.Codecs;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Filters;
using OpenSma.Media.Playback;
using OpenSma.Media.Rtp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Rtp;

public sealed class RtpSessionVoiceFocusTests : IDisposable
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("10.1.1.1"), 30000);
    private readonly FakeTimeProvider _time = new();
    private readonly MemoryTransport _transport = new();
    private readonly RtpSession _session;
    private readonly Collector _heard = new();
    private ushort _sequence;
    private long _tick;

    public RtpSessionVoiceFocusTests()
    {
        _session = new RtpSession(_transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), _time);
        _session.Start();
        _session.SetRemote(Peer);
        _session.AddInboundSink(_heard);
    }

    public void Dispose() => _session.Dispose();

    // One packet per 20 ms tick, as a steady peer would send; then ticks until the jitter buffer in
    // front of the filter has played everything out.
    private void PeerSends(ReadOnlySpan<short> audio)
    {
        for (var offset = 0; offset + PcmAudio.SamplesPerFrame <= audio.Length; offset += PcmAudio.SamplesPerFrame)
        {
            _transport.Deliver(PeerPackets.Audio(_sequence, (uint)(_sequence * 160), audio.Slice(offset, PcmAudio.SamplesPerFrame)), Peer);
            _sequence++;
            _session.OnTick(++_tick);
        }

        Ticks(3);
    }

    private void Ticks(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _session.OnTick(++_tick);
        }
    }

    private static short[] Noise(int count)
    {
        var random = new Random(7);
        var samples = new short[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = (short)random.Next(-2000, 2001);
        }

        return samples;
    }

    [Fact]
    public void VoiceFocus_On_InboundSinksGetTheNoiseSuppressed()
    {
        _session.VoiceFocus = true;
        var noise = Noise(8000 * 3);
        PeerSends(noise);

        var heard = _heard.Samples.ToArray();
        Assert.Equal(noise.Length, heard.Length);
        var drop = 20 * Math.Log10(Signal.Rms(heard.AsSpan(8000)) / Signal.Rms(noise.AsSpan(8000)));
        Assert.True(drop < -12, $"noise changed by {drop:F1} dB");
    }

    [Fact]
    public void VoiceFocus_On_TimedSinksGetTheFilteredFramesOnAContiguousTimeline()
    {
        var timed = new TimedCollector();
        _session.AddInboundSink(timed);
        _session.VoiceFocus = true;

        // The peer's own timeline jumps (a new talkspurt after a pause): the filtered frames keep
        // one frame per tick, so a jitter buffer behind them sees a steady stream.
        PeerSends(Noise(8000));
        _sequence += 50;
        PeerSends(Noise(8000));

        Assert.True(timed.Timestamps.Count >= 90, $"{timed.Timestamps.Count} frames");
        for (var i = 1; i < timed.Timestamps.Count; i++)
        {
            Assert.Equal(unchecked(timed.Timestamps[i - 1] + 160u), timed.Timestamps[i]);
        }
    }

    [Fact]
    public void VoiceFocus_Off_InboundSinksGetTheAudioAsDecoded()
    {
        var noise = Noise(8000);
        PeerSends(noise);

        var expected = new short[noise.Length];
        var payload = new byte[noise.Length];
        AudioCodec.Pcmu.Encode(noise, payload);
        AudioCodec.Pcmu.Decode(payload, expected);
        Assert.Equal(expected, _heard.Samples.ToArray());
    }

    [Fact]
    public void VoiceFocus_SetTwice_KeepsTheRunningFilter_AndOffRemovesIt()
    {
        _session.VoiceFocus = true;
        var filter = _session.InboundFilter;
        Assert.IsType<NoiseSuppressor>(filter);

        _session.VoiceFocus = true;
        Assert.Same(filter, _session.InboundFilter);
        Assert.True(_session.VoiceFocus);

        _session.VoiceFocus = false;
        Assert.Null(_session.InboundFilter);
        Assert.False(_session.VoiceFocus);
    }

    [Fact]
    public async Task InboundFilter_InBandDtmf_IsDetectedOnTheUnfilteredAudio()
    {
        // A filter that removes everything: the sinks hear silence, the detector still hears the tone.
        _session.InboundFilter = new Mute();
        var tone = PcmAudio.Concat(ToneGenerator.Dtmf('4', TimeSpan.FromMilliseconds(100)), PcmAudio.Silence(TimeSpan.FromMilliseconds(60)));
        PeerSends(tone.Samples.Span);

        var digit = await _session.Digits.Reader.ReadAsync();
        Assert.Equal('4', digit.Digit);
        Assert.Equal(DtmfSource.InBand, digit.Source);
        Assert.All(_heard.Samples, s => Assert.Equal(0, s));
        Assert.Equal(tone.Length, _heard.Samples.Count);
    }

    [Fact]
    public void InboundFilter_ReorderedPackets_FilterSeesTheAudioInOrder()
    {
        var seen = new Recording();
        _session.InboundFilter = seen;
        var ramp = Enumerable.Range(0, 8 * 160).Select(i => (short)(i * 4)).ToArray();

        // Packets 0..7 arrive as 0, 2, 1, 4, 3, 6, 5, 7: each swap within the jitter buffer's depth.
        int[] order = [0, 2, 1, 4, 3, 6, 5, 7];
        foreach (var frame in order)
        {
            _transport.Deliver(PeerPackets.Audio((ushort)frame, (uint)(frame * 160), ramp.AsSpan(frame * 160, 160)), Peer);
            _session.OnTick(++_tick);
        }

        Ticks(3);

        var expected = new short[ramp.Length];
        var payload = new byte[ramp.Length];
        AudioCodec.Pcmu.Encode(ramp, payload);
        AudioCodec.Pcmu.Decode(payload, expected);
        Assert.Equal(expected, seen.Samples.ToArray());
        Assert.Equal(expected, _heard.Samples.ToArray());
    }

    [Fact]
    public void InboundFilter_LostPacket_FilterSeesTheConcealedAudioInItsPlace()
    {
        var seen = new Recording();
        _session.InboundFilter = seen;
        var tone = ToneGenerator.Beep(TimeSpan.FromMilliseconds(200), 500).Samples.ToArray();

        for (var frame = 0; frame < 10; frame++)
        {
            if (frame != 5)
            {
                _transport.Deliver(PeerPackets.Audio((ushort)frame, (uint)(frame * 160), tone.AsSpan(frame * 160, 160)), Peer);
            }

            _session.OnTick(++_tick);
        }

        Ticks(3);

        Assert.Equal(tone.Length, seen.Samples.Count);
        var concealed = seen.Samples.Skip(5 * 160).Take(160).ToArray();
        Assert.True(Signal.Amplitude(concealed, 500) > 0.5 * Signal.Amplitude(tone.AsSpan(4 * 160, 160), 500), "the lost frame is continued, not silent");
    }

    private sealed class Recording : IAudioFilter
    {
        public List<short> Samples { get; } = [];

        public int Latency => 0;

        public void Process(Span<short> frame) => Samples.AddRange(frame);

        public void Reset()
        {
        }
    }

    private sealed class Collector : IAudioSink
    {
        public List<short> Samples { get; } = [];

        public void OnFrame(ReadOnlySpan<short> frame) => Samples.AddRange(frame);
    }

    private sealed class TimedCollector : ITimedAudioSink
    {
        public List<uint> Timestamps { get; } = [];

        public void OnFrame(ReadOnlySpan<short> frame) => throw new InvalidOperationException("a timed sink is given the timestamp");

        public void OnFrame(ReadOnlySpan<short> frame, uint timestamp) => Timestamps.Add(timestamp);
    }

    private sealed class Mute : IAudioFilter
    {
        public int Latency => 0;

        public void Process(Span<short> frame) => frame.Clear();

        public void Reset()
        {
        }
    }
}
