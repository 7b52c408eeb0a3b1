namespace OpenSma.Media.Mixing;

/// <summary>
/// Shortening and lengthening audio by whole segments with an overlap-add splice, for the jitter
/// buffer's playout adaptation. In voiced audio the segment is a pitch period (or a multiple), the
/// lag at which the signal best matches itself, so the splice joins two nearly identical cycles
/// and the pitch is unchanged; in silence any length will do. Each splice cross-fades linearly
/// over the whole segment, which starts on the sample that follows what was played before and ends
/// on the sample that precedes what is played after, so neither end of the splice jumps.
/// </summary>
internal static class TimeStretch
{
    public const int MinLag = LossConcealer.MinPeriod;
    public const int MaxLag = LossConcealer.MaxPeriod;
    public const int CorrelationLength = 120;

    /// <summary>Mean square of the samples.</summary>
    public static float Energy(ReadOnlySpan<short> samples)
    {
        float sum = 0;
        foreach (var sample in samples)
        {
            sum += (float)sample * sample;
        }

        return samples.IsEmpty ? 0 : sum / samples.Length;
    }

    /// <summary>
    /// The lag in [<see cref="MinLag"/>, <paramref name="maxLag"/>] at which
    /// <c>signal[origin + j]</c> best matches <c>signal[origin + j + lag]</c> (forward, to remove
    /// the segment) or <c>signal[origin + j - lag]</c> (backward, to repeat it), j below
    /// <see cref="CorrelationLength"/>; the normalized correlation in <paramref name="score"/>.
    /// </summary>
    public static int BestLag(ReadOnlySpan<short> signal, int origin, int maxLag, bool forward, out float score)
    {
        var best = MinLag;
        score = float.NegativeInfinity;
        var anchor = signal.Slice(origin, CorrelationLength);
        var anchorEnergy = Energy(anchor);
        for (var lag = MinLag; lag <= maxLag; lag++)
        {
            var other = signal.Slice(forward ? origin + lag : origin - lag, CorrelationLength);
            float cross = 0;
            float energy = 0;
            for (var j = 0; j < CorrelationLength; j++)
            {
                cross += (float)anchor[j] * other[j];
                energy += (float)other[j] * other[j];
            }

            var product = energy * anchorEnergy * CorrelationLength;
            var value = product > 0 ? cross / MathF.Sqrt(product) : 0;
            if (value > score)
            {
                score = value;
                best = lag;
            }
        }

        return best;
    }

    /// <summary>
    /// Plays <paramref name="input"/> (output length plus <paramref name="removed"/> samples) into
    /// <paramref name="output"/> without <paramref name="removed"/> samples: the first segment of
    /// that length fades out while the next fades in, then the rest follows.
    /// </summary>
    public static void Shorten(ReadOnlySpan<short> input, int removed, Span<short> output)
    {
        if (input.Length != output.Length + removed || removed < 1 || 2 * removed > input.Length)
        {
            throw new ArgumentException("Shorten needs the output length plus the removed samples, at least two segments.", nameof(input));
        }

        for (var j = 0; j < removed; j++)
        {
            var weight = (j + 1f) / (removed + 1);
            output[j] = Round(((1 - weight) * input[j]) + (weight * input[removed + j]));
        }

        input[(2 * removed)..].CopyTo(output[removed..]);
    }

    /// <summary>
    /// Plays <paramref name="signal"/> from <paramref name="origin"/> into <paramref name="output"/>
    /// with <paramref name="added"/> samples inserted at its start: the audio from
    /// <paramref name="origin"/> fades out while the last <paramref name="added"/> samples before it
    /// (already played) fade in, then the audio from <paramref name="origin"/> follows again.
    /// Consumes <c>output.Length - added</c> samples after <paramref name="origin"/>.
    /// </summary>
    public static void Lengthen(ReadOnlySpan<short> signal, int origin, int added, Span<short> output)
    {
        if (added < 1 || added > origin || added > output.Length || origin + Math.Max(added, output.Length - added) > signal.Length)
        {
            throw new ArgumentException("Lengthen needs the repeated segment before the origin and a segment after it.", nameof(signal));
        }

        for (var j = 0; j < added; j++)
        {
            var weight = (j + 1f) / (added + 1);
            output[j] = Round(((1 - weight) * signal[origin + j]) + (weight * signal[origin - added + j]));
        }

        signal.Slice(origin, output.Length - added).CopyTo(output[added..]);
    }

    private const int ToneBlock = 80;

    /// <summary>
    /// Whether any 10 ms block of <paramref name="samples"/> is a DTMF tone: one low-group and one
    /// high-group frequency carrying most of its energy. Such audio is played as is: a period
    /// removed or repeated would shorten a tone a detector downstream needs whole (40 ms and up),
    /// or splice it at a lag that fits neither of its two frequencies.
    /// </summary>
    public static bool ContainsDtmfTone(ReadOnlySpan<short> samples)
    {
        for (var start = 0; start + ToneBlock <= samples.Length; start += ToneBlock)
        {
            if (IsDtmfBlock(samples.Slice(start, ToneBlock)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsDtmfBlock(ReadOnlySpan<short> block)
    {
        var total = Energy(block) * block.Length;
        if (total <= 0)
        {
            return false;
        }

        double low = 0;
        double high = 0;
        // The eight DTMF frequencies (the detector's filters: low group, then high group).
        for (var f = 0; f < 8; f++)
        {
            // The energy of a sinusoid at this frequency over the block.
            var energy = 2 * Dtmf.InBandDtmfDetector.Goertzel(block, Dtmf.InBandDtmfDetector.Coefficients[f]) / block.Length;
            if (f < 4)
            {
                low = Math.Max(low, energy);
            }
            else
            {
                high = Math.Max(high, energy);
            }
        }

        return low >= 0.1 * total && high >= 0.1 * total && low + high >= 0.6 * total;
    }

    private static short Round(float value) => (short)Math.Clamp(MathF.Round(value), short.MinValue, short.MaxValue);
}
