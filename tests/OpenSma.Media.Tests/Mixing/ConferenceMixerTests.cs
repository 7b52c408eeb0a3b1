using OpenSma.Media.Audio;
using OpenSma.Media.Codecs;
using OpenSma.Media.Mixing;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Mixing;

public sealed class ConferenceMixerTests
{
    private static readonly double[] Frequencies = [500, 900, 1400];

    private static short[] Tone(double frequency) =>
        ToneGenerator.Beep(TimeSpan.FromSeconds(1), frequency).Samples.ToArray()[400..560].Select(s => (short)(s / 3)).ToArray();

    private static void Run(LegHarness harness, IReadOnlyList<OpenSma.Media.Rtp.RtpSession> legs, int ticks)
    {
        for (var t = 0; t < ticks; t++)
        {
            for (var i = 0; i < legs.Count; i++)
            {
                harness.PeerSends(legs[i], Tone(Frequencies[i]));
            }

            harness.Tick();
        }
    }

    [Fact]
    public void Mix_ThreeParties_EachHearsTheOthersButNotItself()
    {
        using var harness = new LegHarness();
        var legs = new[] { harness.AddLeg(AudioCodec.Pcmu), harness.AddLeg(AudioCodec.Pcma), harness.AddLeg(AudioCodec.Pcmu) };
        var mixer = new ConferenceMixer();
        foreach (var leg in legs)
        {
            mixer.Join(leg);
        }

        Run(harness, legs, 6);

        for (var i = 0; i < legs.Length; i++)
        {
            var heard = harness.LastSent(legs[i]);
            for (var j = 0; j < legs.Length; j++)
            {
                var amplitude = Signal.Amplitude(heard, Frequencies[j]);
                if (i == j)
                {
                    Assert.True(amplitude < 300, $"party {i} hears itself at {amplitude}");
                }
                else
                {
                    Assert.True(amplitude > 4500, $"party {i} hears party {j} at only {amplitude}");
                }
            }
        }

        Assert.Equal(3, mixer.PartyCount);
    }

    [Fact]
    public void Mute_PartyIsNotHeardButStillHears()
    {
        using var harness = new LegHarness();
        var legs = new[] { harness.AddLeg(AudioCodec.Pcmu), harness.AddLeg(AudioCodec.Pcmu), harness.AddLeg(AudioCodec.Pcmu) };
        var mixer = new ConferenceMixer();
        var parties = legs.Select(mixer.Join).ToArray();
        parties[0].Muted = true;

        Run(harness, legs, 6);

        Assert.True(Signal.Amplitude(harness.LastSent(legs[1]), Frequencies[0]) < 300);
        Assert.True(Signal.Amplitude(harness.LastSent(legs[2]), Frequencies[0]) < 300);
        Assert.True(Signal.Amplitude(harness.LastSent(legs[0]), Frequencies[1]) > 4500);
        Assert.True(Signal.Amplitude(harness.LastSent(legs[0]), Frequencies[2]) > 4500);
    }

    [Fact]
    public void Leave_PartyNoLongerMixed()
    {
        using var harness = new LegHarness();
        var legs = new[] { harness.AddLeg(AudioCodec.Pcmu), harness.AddLeg(AudioCodec.Pcmu), harness.AddLeg(AudioCodec.Pcmu) };
        var mixer = new ConferenceMixer();
        var parties = legs.Select(mixer.Join).ToArray();

        parties[2].Dispose();
        Run(harness, legs, 6);

        Assert.Equal(2, mixer.PartyCount);
        Assert.Null(legs[2].OutboundSource);
        Assert.True(Signal.Amplitude(harness.LastSent(legs[0]), Frequencies[2]) < 300);
        Assert.True(Signal.Amplitude(harness.LastSent(legs[0]), Frequencies[1]) > 4500);
    }

    [Fact]
    public void Mix_LoudParties_SaturatesInsteadOfWrapping()
    {
        using var harness = new LegHarness();
        var legs = new[] { harness.AddLeg(AudioCodec.Pcmu), harness.AddLeg(AudioCodec.Pcmu), harness.AddLeg(AudioCodec.Pcmu) };
        var mixer = new ConferenceMixer();
        foreach (var leg in legs)
        {
            mixer.Join(leg);
        }

        var loud = Enumerable.Repeat((short)30000, 160).ToArray();
        for (var t = 0; t < 6; t++)
        {
            foreach (var leg in legs)
            {
                harness.PeerSends(leg, loud);
            }

            harness.Tick();
        }

        Assert.All(harness.LastSent(legs[0]), s => Assert.True(s > 30000));
    }
}
