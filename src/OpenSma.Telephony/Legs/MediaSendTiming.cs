namespace OpenSma.Telephony.Legs;

/// <summary>
/// When the legs' RTP really left, measured inside the process against the media clock's ideal
/// grid (clock start + tick x 20 ms), so it says what this node put on the wire whatever the
/// receivers' own scheduling adds. Two histograms of 0.1 ms buckets up to 100 ms:
/// <list type="bullet">
/// <item><b>lateness</b> of every packet: time after its grid point that its send returned;</item>
/// <item><b>send jitter</b> of every ended stream: the RFC 3550 interarrival-jitter estimator
/// (J += (|D| - J) / 16) applied to the send times, i.e. what an ideal receiver on a zero-delay
/// network would report, directly comparable with a phone's figure.</item>
/// </list>
/// Recording is lock-free (one timestamp and one interlocked increment per packet).
/// </summary>
public sealed class MediaSendTiming
{
    private readonly DurationHistogram _lateness = new(TimeSpan.FromMilliseconds(0.1), 1001);
    private readonly DurationHistogram _streamJitter = new(TimeSpan.FromMilliseconds(0.1), 1001);
    private long _maxLateness;

    internal void RecordLateness(long latenessTicks)
    {
        _lateness.Record(latenessTicks);
        var max = Volatile.Read(ref _maxLateness);
        while (latenessTicks > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxLateness, latenessTicks, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    internal void RecordStreamJitter(long jitterTicks) => _streamJitter.Record(jitterTicks);

    /// <summary>Counts and percentiles so far.</summary>
    public MediaSendTimingSnapshot Snapshot()
    {
        var lateness = _lateness.Read();
        var jitter = _streamJitter.Read();
        return new MediaSendTimingSnapshot(
            lateness.Total,
            lateness.QuantileMs(0.50),
            lateness.QuantileMs(0.99),
            TimeSpan.FromTicks(Volatile.Read(ref _maxLateness)).TotalMilliseconds,
            jitter.Total,
            jitter.QuantileMs(0.50),
            jitter.QuantileMs(0.99));
    }
}

/// <param name="Packets">Clock deliveries timed (one per leg per 20 ms while it sends).</param>
/// <param name="LatenessP50Ms">Median time after the ideal grid point that a packet's send returned.</param>
/// <param name="LatenessP99Ms">99th percentile of the same.</param>
/// <param name="LatenessMaxMs">Largest lateness seen.</param>
/// <param name="Streams">Ended streams whose send jitter was recorded.</param>
/// <param name="SendJitterP50Ms">Median over ended streams of the RFC 3550 jitter of their send times.</param>
/// <param name="SendJitterP99Ms">99th percentile of the same.</param>
public sealed record MediaSendTimingSnapshot(
    long Packets,
    double LatenessP50Ms,
    double LatenessP99Ms,
    double LatenessMaxMs,
    long Streams,
    double SendJitterP50Ms,
    double SendJitterP99Ms);
