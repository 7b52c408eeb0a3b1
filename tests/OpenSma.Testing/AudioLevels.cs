namespace OpenSma.Testing;

/// <summary>Level measurements on 16-bit PCM that audio assertions share.</summary>
public static class AudioLevels
{
    /// <summary>Root-mean-square level of the samples, in sample units (0 for none).</summary>
    public static double Rms(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty)
        {
            return 0;
        }

        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / samples.Length);
    }
}
