using OpenSma.Media.Audio;
using OpenSma.Media.Codecs;
using OpenSma.Media.Mixing;
using OpenSma.Media.Recording;
using OpenSma.Media.Tests.TestSupport;
using System.Buffers.Binary;

namespace OpenSma.Media.Tests.Recording;

public sealed class StereoRecorderTests
{
    [Fact]
    public void StopAndWriteWav_BridgedCall_OneLegPerChannel()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcma);
        using var bridge = new LegBridge(a, b);
        var recorder = new StereoRecorder(TimeSpan.FromMinutes(5));
        a.AddInboundSink(recorder.Left);
        b.AddInboundSink(recorder.Right);
        harness.Clock.Subscribe(recorder);
        var toneA = ToneGenerator.Beep(TimeSpan.FromSeconds(1), 500).Samples.Span[400..560].ToArray();
        var toneB = ToneGenerator.Beep(TimeSpan.FromSeconds(1), 1500).Samples.Span[400..560].ToArray();

        for (var i = 0; i < 50; i++)
        {
            harness.PeerSends(a, toneA);
            harness.PeerSends(b, toneB);
            harness.Tick();
        }

        var wav = recorder.StopAndWriteWav();

        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(22)));
        var frames = (wav.Length - 44) / 4;
        Assert.Equal(8000, frames);
        var left = new short[frames];
        var right = new short[frames];
        for (var i = 0; i < frames; i++)
        {
            left[i] = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(44 + (i * 4)));
            right[i] = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(46 + (i * 4)));
        }

        Assert.True(Signal.Amplitude(left.AsSpan(800), 500) > 14000);
        Assert.True(Signal.Amplitude(left.AsSpan(800), 1500) < 300);
        Assert.True(Signal.Amplitude(right.AsSpan(800), 1500) > 14000);
        Assert.True(Signal.Amplitude(right.AsSpan(800), 500) < 300);
    }
}
