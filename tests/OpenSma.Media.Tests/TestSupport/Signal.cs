using OpenSma.Testing;

namespace OpenSma.Media.Tests.TestSupport;

/// <summary>Measurements used by the assertions: RMS level and the amplitude of one frequency.</summary>
internal static class Signal
{
    public static double Rms(ReadOnlySpan<short> samples) => AudioLevels.Rms(samples);

    /// <summary>Amplitude (peak, in sample units) of the component at <paramref name="frequency"/>, by correlation.</summary>
    public static double Amplitude(ReadOnlySpan<short> samples, double frequency, int sampleRate = 8000)
    {
        double re = 0, im = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var phase = 2 * Math.PI * frequency * i / sampleRate;
            re += samples[i] * Math.Cos(phase);
            im += samples[i] * Math.Sin(phase);
        }

        return 2 * Math.Sqrt((re * re) + (im * im)) / samples.Length;
    }

    public static double[] Sine(double frequency, double amplitude, int sampleRate, int count)
    {
        var result = new double[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = amplitude * Math.Sin(2 * Math.PI * frequency * i / sampleRate);
        }

        return result;
    }
}
