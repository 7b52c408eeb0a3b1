using OpenSma.Testing;

namespace OpenSma.Speech.Tests.Support;

internal static class Signal
{
    public static double Rms(ReadOnlySpan<short> samples) => AudioLevels.Rms(samples);

    /// <summary>The share of 20 ms frames whose RMS is above <paramref name="threshold"/>.</summary>
    public static double VoicedShare(ReadOnlySpan<short> samples, double threshold = 300)
    {
        var frames = samples.Length / 160;
        if (frames == 0)
        {
            return 0;
        }

        var voiced = 0;
        for (var f = 0; f < frames; f++)
        {
            if (Rms(samples.Slice(f * 160, 160)) > threshold)
            {
                voiced++;
            }
        }

        return (double)voiced / frames;
    }
}
