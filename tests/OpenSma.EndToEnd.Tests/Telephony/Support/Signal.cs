using OpenSma.Media.Audio;

namespace OpenSma.EndToEnd.Tests.Telephony.Support;

/// <summary>Level checks on recordings: how many 20 ms frames carry sound, and the RMS of the whole.</summary>
internal static class Signal
{
    /// <summary>20 ms frames whose RMS is above <paramref name="threshold"/> (about -30 dBFS by default).</summary>
    public static int LoudFrames(PcmAudio audio, double threshold = 1000)
    {
        var samples = audio.Samples.Span;
        var loud = 0;
        for (var i = 0; i + PcmAudio.SamplesPerFrame <= samples.Length; i += PcmAudio.SamplesPerFrame)
        {
            if (Rms(samples.Slice(i, PcmAudio.SamplesPerFrame)) > threshold)
            {
                loud++;
            }
        }

        return loud;
    }

    /// <summary>20 ms frames in which a tone of <paramref name="frequency"/> Hz is present at -20 dBFS or louder (Goertzel).</summary>
    public static int ToneFrames(PcmAudio audio, double frequency)
    {
        var samples = audio.Samples.Span;
        var frames = 0;
        for (var i = 0; i + PcmAudio.SamplesPerFrame <= samples.Length; i += PcmAudio.SamplesPerFrame)
        {
            if (Amplitude(samples.Slice(i, PcmAudio.SamplesPerFrame), frequency) > 0.1 * short.MaxValue)
            {
                frames++;
            }
        }

        return frames;
    }

    /// <summary>The amplitude of the <paramref name="frequency"/> component of a block (Goertzel).</summary>
    public static double Amplitude(ReadOnlySpan<short> block, double frequency)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / PcmAudio.SampleRate);
        double s1 = 0, s2 = 0;
        foreach (var x in block)
        {
            var s0 = x + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        var power = (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
        return 2 * Math.Sqrt(Math.Max(0, power)) / block.Length;
    }

    public static double Rms(ReadOnlySpan<short> samples) => AudioLevels.Rms(samples);

    /// <summary>A tone of <paramref name="frequency"/> Hz at 0.3 of full scale.</summary>
    public static PcmAudio Tone(TimeSpan duration, double frequency)
    {
        var samples = new short[PcmAudio.SamplesFor(duration)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)Math.Round(0.3 * short.MaxValue * Math.Sin(2 * Math.PI * frequency * i / PcmAudio.SampleRate));
        }

        return new PcmAudio(samples);
    }

    /// <summary>The DTMF tone pair of a key (ITU-T Q.23), each tone at 0.25 of full scale.</summary>
    public static PcmAudio Dtmf(char key, TimeSpan duration)
    {
        const string keys = "123A456B789C*0#D";
        var index = keys.IndexOf(key, StringComparison.Ordinal);
        if (index < 0)
        {
            throw new ArgumentException($"'{key}' is not a DTMF key", nameof(key));
        }

        double[] low = [697, 770, 852, 941];
        double[] high = [1209, 1336, 1477, 1633];
        var samples = new short[PcmAudio.SamplesFor(duration)];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / PcmAudio.SampleRate;
            samples[i] = (short)Math.Round(0.25 * short.MaxValue * (Math.Sin(2 * Math.PI * low[index / 4] * t) + Math.Sin(2 * Math.PI * high[index % 4] * t)));
        }

        return new PcmAudio(samples);
    }

    public static string WriteWav(string path, PcmAudio audio)
    {
        File.WriteAllBytes(path, WavWriter.WriteMono(audio.Samples.Span));
        return path;
    }
}
