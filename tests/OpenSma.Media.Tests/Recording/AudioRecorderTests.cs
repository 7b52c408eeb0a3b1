using OpenSma.Media.Audio;
using OpenSma.Media.Codecs;
using OpenSma.Media.Recording;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Recording;

public sealed class AudioRecorderTests
{
    private static readonly short[] Loud = ToneGenerator.Beep(TimeSpan.FromSeconds(1), 600).Samples.Span[400..560].ToArray();

    private static (LegHarness Harness, OpenSma.Media.Rtp.RtpSession Leg, AudioRecorder Recorder) Setup(RecordingOptions options)
    {
        var harness = new LegHarness();
        var leg = harness.AddLeg(AudioCodec.Pcmu);
        var recorder = new AudioRecorder(options);
        leg.AddInboundSink(recorder.Input);
        harness.Clock.Subscribe(recorder);
        return (harness, leg, recorder);
    }

    [Fact]
    public async Task Stop_ReturnsWhatWasSaidWithItsLength()
    {
        var (harness, leg, recorder) = Setup(new RecordingOptions(TimeSpan.FromMinutes(1)));
        using var _ = harness;
        for (var i = 0; i < 50; i++)
        {
            harness.PeerSends(leg, Loud);
            harness.Tick();
        }

        var result = await recorder.Stop();

        Assert.Equal(RecordingStopReason.Stopped, result.Reason);
        Assert.Equal(8000, result.Audio.Length);
        Assert.True(Signal.Amplitude(result.Audio.Samples.Span[800..], 600) > 14000);
        Assert.Equal(result.Audio.Samples.ToArray(), WavReader.Decode(result.ToWav()).Audio!.Samples.ToArray());
    }

    [Fact]
    public async Task OnTick_MaxDuration_StopsExactlyThere()
    {
        var (harness, leg, recorder) = Setup(new RecordingOptions(TimeSpan.FromMilliseconds(500)));
        using var _ = harness;
        for (var i = 0; i < 40; i++)
        {
            harness.PeerSends(leg, Loud);
            harness.Tick();
        }

        var result = await recorder.Completion;

        Assert.Equal(RecordingStopReason.MaxDuration, result.Reason);
        Assert.Equal(4000, result.Audio.Length);
    }

    [Fact]
    public async Task OnTick_PeerGoesQuiet_StopsOnSilenceEvenWithoutPackets()
    {
        var options = new RecordingOptions(TimeSpan.FromMinutes(1)) { SilenceDuration = TimeSpan.FromSeconds(1), SilenceThreshold = 200 };
        var (harness, leg, recorder) = Setup(options);
        using var _ = harness;
        for (var i = 0; i < 25; i++)
        {
            harness.PeerSends(leg, Loud);
            harness.Tick();
        }

        // The peer stops sending entirely (silence suppression): time alone must end the recording.
        for (var i = 0; i < 60 && !recorder.Completion.IsCompleted; i++)
        {
            harness.Tick();
        }

        var result = await recorder.Completion;
        Assert.Equal(RecordingStopReason.Silence, result.Reason);
        Assert.InRange(result.Audio.Duration.TotalSeconds, 1.45, 1.6);
    }
}
