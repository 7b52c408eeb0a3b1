using OpenSma.Media.Audio;
using OpenSma.Media.Codecs;
using OpenSma.Media.Mixing;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Mixing;

public sealed class LegBridgeTests
{
    private static short[] Tone(double frequency) =>
        ToneGenerator.Beep(TimeSpan.FromSeconds(1), frequency).Samples.Span[400..560].ToArray();

    [Fact]
    public void Bridge_SameCodec_RelaysPayloadBytesUnchanged()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        using var bridge = new LegBridge(a, b);
        var frame = Tone(700);
        var expected = new byte[160];
        G711.EncodeMuLaw(frame, expected);

        for (var i = 0; i < 4; i++)
        {
            harness.PeerSends(a, frame);
            harness.Tick();
        }

        Assert.Equal(expected, harness.LastSentPayload(b));
    }

    [Fact]
    public void Bridge_DifferentCodecs_TranscodesBothWays()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcma);
        using var bridge = new LegBridge(a, b);
        var fromA = Tone(700);
        var fromB = Tone(1300);

        for (var i = 0; i < 4; i++)
        {
            harness.PeerSends(a, fromA);
            harness.PeerSends(b, fromB);
            harness.Tick();
        }

        var muLaw = new byte[160];
        G711.EncodeMuLaw(fromA, muLaw);
        var expectedOnB = new byte[160];
        G711.Transcode(muLaw, expectedOnB, muLawToALaw: true);
        Assert.Equal(expectedOnB, harness.LastSentPayload(b));
        Assert.True(Signal.Amplitude(harness.LastSent(a), 1300) > 14000);
        Assert.True(Signal.Amplitude(harness.LastSent(a), 700) < 300);
    }

    [Fact]
    public void Dispose_Disconnects_LegsFallBackToSilence()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        var bridge = new LegBridge(a, b);
        harness.PeerSends(a, Tone(700));
        harness.PeerSends(a, Tone(700));

        bridge.Dispose();
        harness.PeerSends(a, Tone(700));
        harness.Tick();

        Assert.Null(b.OutboundSource);
        Assert.Equal(0, Signal.Rms(harness.LastSent(b)));
    }

    [Fact]
    public void Bridge_ReorderedPackets_ReachTheOtherLegInOrder()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        using var bridge = new LegBridge(a, b);
        var frames = Enumerable.Range(0, 6).Select(i => Enumerable.Repeat((short)(1000 * (i + 1)), 160).ToArray()).ToArray();

        // Packets 0..5 arrive as 0, 2, 1, 3, 5, 4 (one tick per arrival).
        var heard = new List<short>();
        foreach (var sequence in new ushort[] { 0, 2, 1, 3, 5, 4 })
        {
            harness.PeerSends(a, frames[sequence], sequence);
            harness.Tick();
            heard.Add(harness.LastSent(b)[80]);
        }

        for (var i = 0; i < 4; i++)
        {
            harness.Tick();
            heard.Add(harness.LastSent(b)[80]);
        }

        // Mu-law round trip of each level, in sequence order, after the buffer's priming.
        var expected = frames.Select(f =>
        {
            var payload = new byte[160];
            var decoded = new short[160];
            G711.EncodeMuLaw(f, payload);
            G711.DecodeMuLaw(payload, decoded);
            return decoded[80];
        });
        Assert.Equal(expected, heard.SkipWhile(s => s == 0).Take(6));
    }
}
