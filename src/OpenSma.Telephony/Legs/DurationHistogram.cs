namespace OpenSma.Telephony.Legs;

/// <summary>
/// Counts of durations in fixed-width buckets, recorded lock-free (one interlocked increment) and
/// read as quantiles: the upper edge of the bucket holding the quantile, so a figure is an upper
/// bound within one bucket width. Durations past the last bucket count in it.
/// </summary>
internal sealed class DurationHistogram(TimeSpan bucketWidth, int buckets)
{
    private readonly long _bucketTicks = bucketWidth.Ticks;
    private readonly long[] _counts = new long[buckets];

    public void Record(long ticks) => Interlocked.Increment(ref _counts[ticks <= 0 ? 0 : (int)Math.Min(_counts.Length - 1, ticks / _bucketTicks)]);

    /// <summary>The counts now, for <see cref="Counts.Total"/> and <see cref="Counts.QuantileMs"/>.</summary>
    public Counts Read()
    {
        var copy = new long[_counts.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Interlocked.Read(ref _counts[i]);
        }

        return new Counts(copy, _bucketTicks);
    }

    public readonly struct Counts(long[] counts, long bucketTicks)
    {
        public long Total => counts.Sum();

        /// <summary>The upper edge of the bucket holding the <paramref name="p"/>-th value, in ms; 0 with nothing recorded.</summary>
        public double QuantileMs(double p)
        {
            var total = Total;
            if (total == 0)
            {
                return 0;
            }

            var rank = (long)Math.Ceiling(p * total);
            long seen = 0;
            var i = 0;
            for (; i < counts.Length - 1; i++)
            {
                seen += counts[i];
                if (seen >= rank)
                {
                    break;
                }
            }

            return TimeSpan.FromTicks((i + 1) * bucketTicks).TotalMilliseconds;
        }
    }
}
