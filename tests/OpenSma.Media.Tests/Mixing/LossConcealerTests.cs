using OpenSma.Media.Mixing;

namespace OpenSma.Media.Tests.Mixing;

/// <summary>Pitch-based concealment against "repeat the last frame", on a synthetic voiced signal.</summary>
public sealed class LossConcealerTests
{
    private const int Frame = 160;

    // A vowel-like signal: ten harmonics of f0 with falling amplitude, about -12 dBFS.
    private static short[] Voiced(double f0, int frames)
    {
        var samples = new short[frames * Frame];
        for (var n = 0; n < samples.Length; n++)
        {
            double value = 0;
            for (var k = 1; k <= 10; k++)
            {
                value += 3000.0 / k * Math.Sin((2 * Math.PI * f0 * k * n / 8000) + k);
            }

            samples[n] = (short)Math.Round(value);
        }

        return samples;
    }

    // Plays the signal through a jitter buffer with the given frames lost; returns what came out.
    // Playout runs far enough behind arrival that later audio is queued when a frame is missing
    // (a loss, not an underrun).
    private static short[] PlayWithLoss(short[] signal, params int[] lostFrames)
    {
        var buffer = new FrameBuffer();
        var frames = signal.Length / Frame;
        var behind = lostFrames.Length + 1;
        var output = new short[signal.Length];
        for (var i = 0; i < frames + behind; i++)
        {
            if (i < frames && Array.IndexOf(lostFrames, i) < 0)
            {
                buffer.OnFrame(signal.AsSpan(i * Frame, Frame), (uint)(i * Frame));
            }

            if (i >= behind)
            {
                buffer.ReadFrame(output.AsSpan((i - behind) * Frame, Frame));
            }
        }

        return output;
    }

    // What the buffer did before: the last whole frame repeated, its gain falling 1 -> 0 over three frames.
    private static short[] FrameRepetition(short[] signal, int firstLost, int count)
    {
        var output = (short[])signal.Clone();
        for (var n = 0; n < count * Frame; n++)
        {
            var gain = 1.0 - ((double)n / (3 * Frame));
            output[(firstLost * Frame) + n] = (short)Math.Round(Math.Max(0, gain) * signal[((firstLost - 1) * Frame) + (n % Frame)]);
        }

        return output;
    }

    private static double ErrorEnergy(short[] output, short[] signal, int from, int to)
    {
        double sum = 0;
        for (var n = from; n < to; n++)
        {
            var e = (double)output[n] - signal[n];
            sum += e * e;
        }

        return sum;
    }

    [Theory]
    [InlineData(160.0, 1)] // period 50 samples: a frame holds 3.2 periods
    [InlineData(131.0, 1)] // period 61.07 samples: not a whole number
    [InlineData(104.0, 2)] // 76.9 samples, 40 ms lost
    [InlineData(210.0, 3)] // 38.1 samples: below the shortest lag, found at twice the period; 60 ms lost
    public void ReadFrame_VoicedSignalWithLostFrames_LessErrorThanRepeatingTheLastFrame(double f0, int lost)
    {
        var signal = Voiced(f0, 12);
        const int firstLost = 6;
        var lostFrames = Enumerable.Range(firstLost, lost).ToArray();

        var ours = PlayWithLoss(signal, lostFrames);
        var repeated = FrameRepetition(signal, firstLost, lost);

        // Over the lost frames and the one after (where ours merges back).
        var from = firstLost * Frame;
        var to = (firstLost + lost + 1) * Frame;
        var ourError = ErrorEnergy(ours, signal, from, to);
        var repeatError = ErrorEnergy(repeated, signal, from, to);
        Assert.True(ourError < 0.5 * repeatError, $"pitch concealment error {ourError:E3}, frame repetition {repeatError:E3}");

        // Outside the loss and the merge the audio is untouched.
        Assert.Equal(signal.AsSpan(0, from).ToArray(), ours.AsSpan(0, from).ToArray());
        Assert.Equal(signal.AsSpan(to).ToArray(), ours.AsSpan(to).ToArray());
    }

    [Theory]
    [InlineData(100.0, 80)]
    [InlineData(160.0, 50)]
    [InlineData(200.0, 40)]
    [InlineData(80.0, 100)]
    public void Missing_VoicedHistory_FindsThePitchPeriod(double f0, int period)
    {
        var concealer = new LossConcealer();
        foreach (var sample in Voiced(f0, 3))
        {
            concealer.Real(sample);
        }

        concealer.Missing();

        Assert.Equal(period, concealer.Period);
    }

    [Fact]
    public void Missing_SixtyMillisecondsAndMore_IsSilent()
    {
        var concealer = new LossConcealer();
        foreach (var sample in Voiced(150, 3))
        {
            concealer.Real(sample);
        }

        var synthesized = Enumerable.Range(0, 800).Select(_ => concealer.Missing()).ToArray();

        Assert.True(synthesized.Take(80).Max(s => Math.Abs((int)s)) > 3000);
        Assert.All(synthesized[480..], s => Assert.Equal(0, s));
        Assert.True(concealer.Concealing);
    }
}
