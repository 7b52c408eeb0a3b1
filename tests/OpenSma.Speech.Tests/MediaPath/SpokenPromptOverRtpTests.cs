using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Codecs;
using OpenSma.Media.Playback;
using OpenSma.Media.Rtp;
using OpenSma.Speech.Caching;
using OpenSma.Speech.Tests.Support;

namespace OpenSma.Speech.Tests.MediaPath;

/// <summary>
/// A sentence spoken by espeak-ng travels the path a real call uses: the session's player, G.711,
/// RTP over UDP on 127.0.0.1, and the far session's decoder. Time is stepped; delivery is awaited.
/// </summary>
public sealed class SpokenPromptOverRtpTests : IDisposable
{
    private const string Sentence = "Your call is important to us. Please stay on the line.";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();
    private readonly MediaClock _clock;
    private readonly RtpPortAllocator _ports = new(33400, 33499);
    private readonly List<RtpSession> _sessions = [];

    public SpokenPromptOverRtpTests()
    {
        _clock = new MediaClock(_time);
    }

    public void Dispose()
    {
        _clock.Dispose();
        foreach (var session in _sessions)
        {
            session.Dispose();
        }
    }

    [Theory]
    [InlineData("PCMU")]
    [InlineData("PCMA")]
    public async Task Speak_KnownSentence_ArrivesOverRtpWithItsLengthAndEnergy(string codecName)
    {
        var codec = AudioCodec.FromName(codecName)!;
        var speech = await Support.Espeak.SpeakAsync(new CachingSpeechSynthesizer(Support.Espeak.Synthesizer(), 1 << 24), Sentence);
        Assert.InRange(speech.Duration.TotalSeconds, 2.5, 7);

        var a = Create(codec);
        var b = Create(codec);
        a.SetRemote(new IPEndPoint(IPAddress.Loopback, b.LocalRtpPort));
        b.SetRemote(new IPEndPoint(IPAddress.Loopback, a.LocalRtpPort));
        var frames = (speech.Length + PcmAudio.SamplesPerFrame - 1) / PcmAudio.SamplesPerFrame;
        var sink = new WaitingSink(frames * PcmAudio.SamplesPerFrame);
        b.AddInboundSink(sink);

        var played = a.Player.Play(speech);
        for (var i = 0; i < frames + 2; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal(PlaybackOutcome.Completed, await played);
        var received = await sink.Full.WaitAsync(Patience);

        // Every frame arrived, and G.711 kept the speech: same energy within a few percent, and
        // the voiced frames where they were.
        Assert.InRange(b.GetStatistics().PacketsReceived, frames, frames + 2);
        var sent = Signal.Rms(speech.Samples.Span);
        var heard = Signal.Rms(received.AsSpan(0, speech.Length));
        Assert.True(sent > 500, $"espeak-ng speech has energy ({sent:0})");
        Assert.InRange(heard / sent, 0.95, 1.05);
        Assert.InRange(Signal.VoicedShare(received) / Signal.VoicedShare(speech.Samples.Span), 0.9, 1.1);
    }

    private RtpSession Create(AudioCodec codec)
    {
        var lease = _ports.TryAllocate(IPAddress.Loopback) ?? throw new InvalidOperationException("no free RTP ports in 33400-33499");
        var session = new RtpSession(new UdpMediaTransport(lease), new RtpSessionOptions(codec, codec.StaticPayloadType, 101), _time);
        _sessions.Add(session);
        session.Start();
        _clock.Subscribe(session);
        return session;
    }

    private sealed class WaitingSink(int wanted) : IAudioSink
    {
        private readonly List<short> _samples = [];
        private readonly TaskCompletionSource<short[]> _full = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<short[]> Full => _full.Task;

        public void OnFrame(ReadOnlySpan<short> frame)
        {
            lock (_samples)
            {
                _samples.AddRange(frame);
                if (_samples.Count >= wanted)
                {
                    _full.TrySetResult([.. _samples.Take(wanted)]);
                }
            }
        }
    }
}
