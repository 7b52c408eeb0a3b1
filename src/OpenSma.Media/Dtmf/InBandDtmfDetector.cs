using System.Runtime.Intrinsics;

namespace OpenSma.Media.Dtmf;

/// <summary>
/// Finds DTMF tones in 8 kHz audio with the Goertzel algorithm over 102-sample blocks (12.75 ms).
/// The block is short enough that a tone 1.5% off its nominal frequency (which ITU-T Q.24 says
/// must still be accepted) loses under 2 dB, yet adjacent DTMF frequencies (73 Hz apart at
/// least) fall near each other's first null. A block
/// holds a digit only if all of these hold, which is what keeps speech and music from producing
/// false digits:
/// - each of the two strongest tones is above an absolute level (about -36 dBFS per tone);
/// - twist: the high-group tone is at most 4 dB stronger (forward twist) or 8 dB weaker (reverse
///   twist) than the low-group tone (ITU-T Q.24 ranges, with margin);
/// - each strongest tone beats every other tone of its group by 8 dB;
/// - no strong overtone (voiced speech is rich in harmonics, DTMF is not): the third harmonic
///   of the low tone (the second would sit within a bin of the high-group tones) and the
///   second harmonic of the high tone stay 14 dB down;
/// - the two tones carry most of the block's energy (speech spreads its energy).
/// A digit is reported once it is seen in two consecutive blocks (25.5 ms of steady tone, so any
/// tone of 40 ms or more is found whatever its alignment), and a new digit needs two blocks
/// without it in between, which bridges a single noisy block.
/// </summary>
public sealed class InBandDtmfDetector
{
    public const int BlockSize = 102;

    private const int SampleRate = 8000;
    private static readonly double[] Low = [697, 770, 852, 941];
    private static readonly double[] High = [1209, 1336, 1477, 1633];
    private static readonly char[,] Keys =
    {
        { '1', '2', '3', 'A' },
        { '4', '5', '6', 'B' },
        { '7', '8', '9', 'C' },
        { '*', '0', '#', 'D' },
    };

    // Goertzel power of a sine of amplitude a over N samples is about (a N / 2)^2.
    private const double MinToneAmplitude = 500;
    private const double MinTonePower = MinToneAmplitude * BlockSize / 2 * (MinToneAmplitude * BlockSize / 2);
    private const double ForwardTwist = 2.5;    // 4 dB in power
    private const double ReverseTwist = 6.3;    // 8 dB in power
    private const double RelativePeak = 6.3;    // 8 dB in power
    private const double MaxHarmonicRatio = 0.04; // overtone at least 14 dB below
    private const double MinToneEnergyShare = 0.8;

    // Two tones at the minimum amplitude carry a^2 / 2 each per sample, N a^2 per block; half of
    // that leaves margin for filter leakage, so the shortcut never rejects a block the full checks would pass.
    private const long MinBlockEnergy = (long)(MinToneAmplitude * MinToneAmplitude * BlockSize / 2);

    /// <summary>Goertzel coefficients: the four low-group frequencies, the four high-group ones, then their overtones.</summary>
    internal static readonly double[] Coefficients = BuildCoefficients();

    private readonly short[] _block = new short[BlockSize];
    private int _filled;
    private char? _candidate;
    private int _candidateBlocks;
    private char? _reported;
    private int _missingBlocks;

    /// <summary>Feeds audio; returns each digit once when it is first confirmed (at most one per call is returned, the rest on later calls).</summary>
    public char? Process(ReadOnlySpan<short> samples)
    {
        char? result = null;
        while (!samples.IsEmpty)
        {
            var take = Math.Min(samples.Length, BlockSize - _filled);
            samples[..take].CopyTo(_block.AsSpan(_filled));
            _filled += take;
            samples = samples[take..];
            if (_filled < BlockSize)
            {
                break;
            }

            _filled = 0;
            var digit = Analyze(_block);
            result ??= Track(digit);
        }

        return result;
    }

    public void Reset()
    {
        _filled = 0;
        _candidate = null;
        _candidateBlocks = 0;
        _reported = null;
        _missingBlocks = 0;
    }

    private char? Track(char? digit)
    {
        if (digit is not null && digit == _candidate)
        {
            _candidateBlocks++;
        }
        else
        {
            _candidate = digit;
            _candidateBlocks = digit is null ? 0 : 1;
        }

        if (digit is null || digit != _reported)
        {
            if (_reported is not null && ++_missingBlocks >= 2)
            {
                _reported = null;
            }
        }
        else
        {
            _missingBlocks = 0;
        }

        if (_candidate is { } candidate && _candidateBlocks >= 2 && _reported is null)
        {
            _reported = candidate;
            _missingBlocks = 0;
            return candidate;
        }

        return null;
    }

    internal static char? Analyze(ReadOnlySpan<short> block)
    {
        // Cheap exit first: a block too quiet to hold two tones at the minimum level (most of
        // any call: silence and pauses) skips the filters entirely.
        long energy = 0;
        foreach (var s in block)
        {
            energy += s * s;
        }

        if (energy < MinBlockEnergy)
        {
            return null;
        }

        var m = Measure(block, energy);
        if (m.LowPower < MinTonePower || m.HighPower < MinTonePower)
        {
            return null;
        }

        if (m.HighPower > m.LowPower * ForwardTwist || m.LowPower > m.HighPower * ReverseTwist)
        {
            return null;
        }

        if (m.LowRunnerUp * RelativePeak > m.LowPower || m.HighRunnerUp * RelativePeak > m.HighPower)
        {
            return null;
        }

        if (m.EnergyShare < MinToneEnergyShare)
        {
            return null;
        }

        // Overtones last: they need two more filters and only matter for blocks that look like DTMF.
        if (Goertzel(block, Coefficients[8 + m.Row]) > m.LowPower * MaxHarmonicRatio
            || Goertzel(block, Coefficients[12 + m.Column]) > m.HighPower * MaxHarmonicRatio)
        {
            return null;
        }

        return Keys[m.Row, m.Column];
    }

    /// <summary>The Goertzel measurements behind a block's verdict.</summary>
    internal readonly record struct BlockMetrics(
        int Row,
        int Column,
        double LowPower,
        double HighPower,
        double LowRunnerUp,
        double HighRunnerUp,
        double EnergyShare);

    // All eight filters run in one pass, four per 256-bit vector, so their recurrences overlap
    // instead of running one after another.
    internal static BlockMetrics Measure(ReadOnlySpan<short> block, long energy)
    {
        var lowCoefficients = Vector256.Create(Coefficients[0], Coefficients[1], Coefficients[2], Coefficients[3]);
        var highCoefficients = Vector256.Create(Coefficients[4], Coefficients[5], Coefficients[6], Coefficients[7]);
        var low1 = Vector256<double>.Zero;
        var low2 = Vector256<double>.Zero;
        var high1 = Vector256<double>.Zero;
        var high2 = Vector256<double>.Zero;
        foreach (var sample in block)
        {
            var x = Vector256.Create((double)sample);
            var low0 = x + (lowCoefficients * low1) - low2;
            low2 = low1;
            low1 = low0;
            var high0 = x + (highCoefficients * high1) - high2;
            high2 = high1;
            high1 = high0;
        }

        var lowPowers = (low1 * low1) + (low2 * low2) - (lowCoefficients * low1 * low2);
        var highPowers = (high1 * high1) + (high2 * high2) - (highCoefficients * high1 * high2);
        var (row, lowPower, lowRunnerUp) = Strongest(lowPowers);
        var (column, highPower, highRunnerUp) = Strongest(highPowers);

        // Block energy of a sine of amplitude a is N a^2 / 2; its Goertzel power is (a N / 2)^2,
        // so power * 2 / N is the energy the tone accounts for.
        var toneEnergy = (lowPower + highPower) * 2 / block.Length;
        return new BlockMetrics(row, column, lowPower, highPower, lowRunnerUp, highRunnerUp, energy == 0 ? 0 : toneEnergy / energy);
    }

    private static (int Index, double Power, double RunnerUp) Strongest(Vector256<double> powers)
    {
        var best = 0;
        for (var i = 1; i < 4; i++)
        {
            if (powers[i] > powers[best])
            {
                best = i;
            }
        }

        var runnerUp = 0.0;
        for (var i = 0; i < 4; i++)
        {
            if (i != best)
            {
                runnerUp = Math.Max(runnerUp, powers[i]);
            }
        }

        return (best, powers[best], runnerUp);
    }

    /// <summary>Goertzel power at one frequency: about (a N / 2)^2 for a sine of amplitude a over N samples.</summary>
    internal static double Goertzel(ReadOnlySpan<short> block, double coefficient)
    {
        double s1 = 0, s2 = 0;
        foreach (var sample in block)
        {
            var s0 = sample + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        return (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
    }

    private static double[] BuildCoefficients()
    {
        var coefficients = new double[16];
        for (var i = 0; i < 4; i++)
        {
            coefficients[i] = 2 * Math.Cos(2 * Math.PI * Low[i] / SampleRate);
            coefficients[i + 4] = 2 * Math.Cos(2 * Math.PI * High[i] / SampleRate);
            coefficients[i + 8] = 2 * Math.Cos(2 * Math.PI * 3 * Low[i] / SampleRate);
            coefficients[i + 12] = 2 * Math.Cos(2 * Math.PI * 2 * High[i] / SampleRate);
        }

        return coefficients;
    }
}
