namespace OpenSma.Engine.Tests.Support;

internal static class Signal
{
    /// <summary>Root-mean-square level of 16-bit samples (0 for an empty span).</summary>
    public static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return samples.Length == 0 ? 0 : Math.Sqrt(sum / samples.Length);
    }
}
