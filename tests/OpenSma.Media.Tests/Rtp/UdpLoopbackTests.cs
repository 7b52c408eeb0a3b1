using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Codecs;
using OpenSma.Media.Playback;
using OpenSma.Media.Rtp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>Two sessions talking over real UDP sockets on 127.0.0.1; time is stepped, delivery is awaited.</summary>
public sealed class UdpLoopbackTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new();
    private readonly MediaClock _clock;
    private readonly RtpPortAllocator _ports = new(32100, 32199);
    private readonly RtpSession _a;
    private readonly RtpSession _b;

    public UdpLoopbackTests()
    {
        _clock = new MediaClock(_time);
        _a = Create(AudioCodec.Pcmu, 0);
        _b = Create(AudioCodec.Pcmu, 0);
    }

    public void Dispose()
    {
        _clock.Dispose();
        _a.Dispose();
        _b.Dispose();
    }

    private RtpSession Create(AudioCodec codec, byte payloadType)
    {
        var lease = _ports.TryAllocate(IPAddress.Loopback) ?? throw new InvalidOperationException("no ports");
        var session = new RtpSession(new UdpMediaTransport(lease), new RtpSessionOptions(codec, payloadType, 101), _time);
        session.Start();
        _clock.Subscribe(session);
        return session;
    }

    private void Ticks(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
        }
    }

    [Fact]
    public async Task Prompt_PlayedOnOneLeg_ArrivesWithItsEnergyAndLength()
    {
        _a.SetRemote(new IPEndPoint(IPAddress.Loopback, _b.LocalRtpPort));
        _b.SetRemote(new IPEndPoint(IPAddress.Loopback, _a.LocalRtpPort));
        var sink = new WaitingSink(PcmAudio.SampleRate);
        _b.AddInboundSink(sink);
        var prompt = ToneGenerator.Beep(TimeSpan.FromSeconds(1), 800);

        var played = _a.Player.Play(prompt);
        Ticks(50);

        Assert.Equal(PlaybackOutcome.Completed, await played);
        var received = await sink.Full.WaitAsync(Patience);
        Assert.True(Signal.Amplitude(received.AsSpan(400, 7200), 800) > 15000);
        Assert.InRange(Signal.Rms(received), 10500, 12000);
        Assert.Equal(50, _b.GetStatistics().PacketsReceived);
    }

    [Fact]
    public async Task Digits_SentAsTelephoneEvents_AreReceivedOnceEach()
    {
        _a.SetRemote(new IPEndPoint(IPAddress.Loopback, _b.LocalRtpPort));
        _b.SetRemote(new IPEndPoint(IPAddress.Loopback, _a.LocalRtpPort));

        var sent = _a.SendDigitsAsync("1234#", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(60));
        Ticks(60);

        Assert.True(await sent);
        var digits = new List<char>();
        using var timeout = new CancellationTokenSource(Patience);
        while (digits.Count < 5)
        {
            digits.Add((await _b.Digits.Reader.ReadAsync(timeout.Token)).Digit);
        }

        Assert.Equal("1234#", new string([.. digits]));
        Assert.False(_b.Digits.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Peer_SignalledWrongPort_IsReachedThroughLatching()
    {
        // B believes A is on a port nobody listens on (a NAT rewrote it); A's packets teach B the truth.
        _a.SetRemote(new IPEndPoint(IPAddress.Loopback, _b.LocalRtpPort));
        _b.SetRemote(new IPEndPoint(IPAddress.Loopback, 9));
        var sink = new WaitingSink(1600);
        _a.AddInboundSink(sink);

        var firstFromA = new WaitingSink(160);
        _b.AddInboundSink(firstFromA);
        Ticks(1);
        await firstFromA.Full.WaitAsync(Patience);
        Assert.True(_b.IsLatched);

        var beep = _b.Player.Play(ToneGenerator.Beep(TimeSpan.FromMilliseconds(200), 600));
        Ticks(10);

        Assert.Equal(PlaybackOutcome.Completed, await beep);
        var received = await sink.Full.WaitAsync(Patience);
        Assert.True(Signal.Amplitude(received, 600) > 10000);
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
