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

    public RtpSessionVoiceFocusTests()
    {
        _session = new RtpSession(_transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), _time);
        _session.Start();
        _session.SetRemote(Peer);
        _session.AddInboundSink(_heard);
    }

    public void Dispose() => _session.Dispose();

    private void PeerSends(ReadOnlySpan<short> audio)
    {
        for (var offset = 0; offset + PcmAudio.SamplesPerFrame <= audio.Length; offset += PcmAudio.SamplesPerFrame)
        {
            _transport.Deliver(PeerPackets.Audio(_sequence, (uint)(_sequence * 160), audio.Slice(offset, PcmAudio.SamplesPerFrame)), Peer);
            _sequence++;
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

    private sealed class Collector : IAudioSink
    {
        public List<short> Samples { get; } = [];

        public void OnFrame(ReadOnlySpan<short> frame) => Samples.AddRange(frame);
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
