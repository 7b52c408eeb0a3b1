using OpenSma.Media.Audio;

namespace OpenSma.Speech.Espeak;

/// <summary>Applies a prosody volume (dB) to synthesized audio, clipping at full scale.</summary>
internal static class Gain
{
    public static PcmAudio Apply(PcmAudio audio, double decibels)
    {
        if (decibels == 0)
        {
            return audio;
        }

        var factor = double.IsNegativeInfinity(decibels) ? 0 : Math.Pow(10, decibels / 20);
        var source = audio.Samples.Span;
        var samples = new short[source.Length];
        for (var i = 0; i < source.Length; i++)
        {
            samples[i] = (short)Math.Clamp(Math.Round(source[i] * factor), short.MinValue, short.MaxValue);
        }

        return new PcmAudio(samples);
    }
}
