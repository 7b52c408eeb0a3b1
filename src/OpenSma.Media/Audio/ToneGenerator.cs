namespace OpenSma.Media.Audio;

/// <summary>Synthesizes DTMF digits, beeps and ringback as 8 kHz PCM.</summary>
public static class ToneGenerator
{
    // Per-tone amplitude of DTMF: about -7 dBFS per tone, a typical telephone sending level.
    private const double DtmfAmplitude = 0.3 * 32767;
    private const double BeepAmplitude = 0.5 * 32767;
    private const double RingbackAmplitude = 0.2 * 32767;

    // 4 ms raised-cosine ramps keep tone edges from splattering energy across the band.
    private const int RampSamples = 32;

    public static (double Low, double High) DtmfFrequencies(char digit) => char.ToUpperInvariant(digit) switch
    {
        '1' => (697, 1209),
        '2' => (697, 1336),
        '3' => (697, 1477),
        'A' => (697, 1633),
        '4' => (770, 1209),
        '5' => (770, 1336),
        '6' => (770, 1477),
        'B' => (770, 1633),
        '7' => (852, 1209),
        '8' => (852, 1336),
        '9' => (852, 1477),
        'C' => (852, 1633),
        '*' => (941, 1209),
        '0' => (941, 1336),
        '#' => (941, 1477),
        'D' => (941, 1633),
        _ => throw new ArgumentOutOfRangeException(nameof(digit), digit, "Not a DTMF digit (0-9, *, #, A-D)."),
    };

    public static PcmAudio Dtmf(char digit, TimeSpan duration)
    {
        var (low, high) = DtmfFrequencies(digit);
        var samples = new short[PcmAudio.SamplesFor(duration)];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / PcmAudio.SampleRate;
            var value = DtmfAmplitude * (Math.Sin(2 * Math.PI * low * t) + Math.Sin(2 * Math.PI * high * t));
            samples[i] = (short)Math.Round(value * Ramp(i, samples.Length));
        }

        return new PcmAudio(samples);
    }

    public static PcmAudio Beep(TimeSpan duration, double frequencyHz = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frequencyHz);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frequencyHz, PcmAudio.SampleRate / 2.0);
        var samples = new short[PcmAudio.SamplesFor(duration)];
        for (var i = 0; i < samples.Length; i++)
        {
            var value = BeepAmplitude * Math.Sin(2 * Math.PI * frequencyHz * i / PcmAudio.SampleRate);
            samples[i] = (short)Math.Round(value * Ramp(i, samples.Length));
        }

        return new PcmAudio(samples);
    }

    /// <summary>North American ringback: 440 Hz + 480 Hz, 2 s on, 4 s off, repeating.</summary>
    public static PcmAudio Ringback(TimeSpan duration)
    {
        const int on = 2 * PcmAudio.SampleRate;
        const int cycle = 6 * PcmAudio.SampleRate;
        var samples = new short[PcmAudio.SamplesFor(duration)];
        for (var i = 0; i < samples.Length; i++)
        {
            var inCycle = i % cycle;
            if (inCycle >= on)
            {
                continue;
            }

            var t = (double)i / PcmAudio.SampleRate;
            var value = RingbackAmplitude * (Math.Sin(2 * Math.PI * 440 * t) + Math.Sin(2 * Math.PI * 480 * t));
            var burstLength = Math.Min(on, samples.Length - (i - inCycle));
            samples[i] = (short)Math.Round(value * Ramp(inCycle, burstLength));
        }

        return new PcmAudio(samples);
    }

    private static double Ramp(int index, int length)
    {
        var fromEdge = Math.Min(index, length - 1 - index);
        if (fromEdge >= RampSamples)
        {
            return 1;
        }

        return 0.5 - (0.5 * Math.Cos(Math.PI * fromEdge / RampSamples));
    }
}
