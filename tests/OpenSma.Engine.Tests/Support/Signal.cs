using OpenSma.Testing;

namespace OpenSma.Engine.Tests.Support;

internal static class Signal
{
    /// <summary>Root-mean-square level of 16-bit samples (0 for an empty span).</summary>
    public static double Rms(ReadOnlySpan<short> samples) => AudioLevels.Rms(samples);
}
