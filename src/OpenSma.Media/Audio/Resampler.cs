namespace OpenSma.Media.Audio;

/// <summary>
/// Band-limited resampling to 8 kHz with a Kaiser-windowed sinc low-pass. Rational ratios
/// (44.1 kHz = 80/441 of the output rate, 48 kHz = 1/6, ...) use a precomputed polyphase table;
/// unusual rates compute the kernel per output sample, which is slower but only runs once per
/// cached prompt.
/// </summary>
internal static class Resampler
{
    // -6 dB point of the anti-alias filter. 32 zero crossings and beta 8.6 give about 85 dB of
    // stop-band attenuation with a transition of roughly +/-330 Hz, so the telephone band up to
    // 3.4 kHz passes flat and nothing above 4.13 kHz folds back.
    private const double CutoffHz = 3800;
    private const int ZeroCrossings = 32;
    private const double KaiserBeta = 8.6;
    private const int MaxPolyphaseTableEntries = 4_000_000;

    public static short[] ToTelephoneRate(ReadOnlySpan<float> input, int inputRate)
    {
        if (inputRate == PcmAudio.SampleRate)
        {
            var copy = new short[input.Length];
            for (var i = 0; i < input.Length; i++)
            {
                copy[i] = Quantize(input[i]);
            }

            return copy;
        }

        var outputRate = PcmAudio.SampleRate;
        var divisor = Gcd(inputRate, outputRate);
        var up = outputRate / divisor;     // L: output samples per period
        var down = inputRate / divisor;    // M: input samples per period
        var outputLength = (int)((long)input.Length * outputRate / inputRate);
        var output = new short[outputLength];

        // Cutoff as a fraction of the input rate; the filter is applied at the input rate.
        var cutoff = Math.Min(CutoffHz, 0.45 * inputRate) / inputRate;
        var halfWidth = (int)Math.Ceiling(ZeroCrossings / (2 * cutoff));
        var taps = 2 * halfWidth;

        if ((long)up * taps <= MaxPolyphaseTableEntries)
        {
            var table = BuildPolyphase(up, taps, halfWidth, cutoff);
            for (var n = 0; n < outputLength; n++)
            {
                var position = (long)n * down;
                var center = (int)(position / up);
                var phase = (int)(position % up);
                output[n] = Quantize(Convolve(input, center - halfWidth + 1, table.AsSpan(phase * taps, taps)));
            }
        }
        else
        {
            var kernel = new float[taps];
            for (var n = 0; n < outputLength; n++)
            {
                var position = (long)n * down;
                var center = (int)(position / up);
                var fraction = (double)(position % up) / up;
                FillKernel(kernel, halfWidth, fraction, cutoff);
                output[n] = Quantize(Convolve(input, center - halfWidth + 1, kernel));
            }
        }

        return output;
    }

    private static float[] BuildPolyphase(int phases, int taps, int halfWidth, double cutoff)
    {
        var table = new float[phases * taps];
        for (var phase = 0; phase < phases; phase++)
        {
            FillKernel(table.AsSpan(phase * taps, taps), halfWidth, (double)phase / phases, cutoff);
        }

        return table;
    }

    // Kernel tap k weighs input sample (center - halfWidth + 1 + k); fraction is how far the
    // output instant lies past the center sample. Taps are normalized so DC passes at unity gain.
    private static void FillKernel(Span<float> kernel, int halfWidth, double fraction, double cutoff)
    {
        var sum = 0.0;
        Span<double> values = kernel.Length <= 2048 ? stackalloc double[kernel.Length] : new double[kernel.Length];
        for (var k = 0; k < kernel.Length; k++)
        {
            var distance = k - halfWidth + 1 - fraction;
            var x = 2 * cutoff * distance;
            var sinc = x == 0 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);
            var value = 2 * cutoff * sinc * Kaiser(distance / halfWidth);
            values[k] = value;
            sum += value;
        }

        for (var k = 0; k < kernel.Length; k++)
        {
            kernel[k] = (float)(values[k] / sum);
        }
    }

    private static double Kaiser(double t)
    {
        if (t <= -1 || t >= 1)
        {
            return 0;
        }

        return BesselI0(KaiserBeta * Math.Sqrt(1 - (t * t))) / BesselI0(KaiserBeta);
    }

    private static double BesselI0(double x)
    {
        var sum = 1.0;
        var term = 1.0;
        var half = x / 2;
        for (var k = 1; k < 50; k++)
        {
            term *= half / k;
            var squared = term * term;
            sum += squared;
            if (squared < sum * 1e-17)
            {
                break;
            }
        }

        return sum;
    }

    private static double Convolve(ReadOnlySpan<float> input, int start, ReadOnlySpan<float> kernel)
    {
        var acc = 0.0;
        var first = Math.Max(0, -start);
        var last = Math.Min(kernel.Length, input.Length - start);
        for (var k = first; k < last; k++)
        {
            acc += input[start + k] * kernel[k];
        }

        return acc;
    }

    private static short Quantize(double value)
    {
        var scaled = Math.Round(value * 32768.0);
        return (short)Math.Clamp(scaled, short.MinValue, short.MaxValue);
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
