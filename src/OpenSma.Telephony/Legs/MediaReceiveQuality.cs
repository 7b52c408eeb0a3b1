using OpenSma.Media.Rtp;

namespace OpenSma.Telephony.Legs;

/// <summary>
/// What the legs' peers sent us, and what their RTCP says of the round trip, totalled over ended
/// streams: each leg's RTP statistics are added once, when its media is released. The figures an
/// operator watches for call quality (loss, RFC 3550 interarrival jitter, round-trip time), from
/// the same statistics RTCP reports carry.
/// </summary>
public sealed class MediaReceiveQuality
{
    /// <summary>A stream that lost more than this share of its packets counts as lossy.</summary>
    public const double LossyShare = 0.01;

    private readonly DurationHistogram _jitter = new(TimeSpan.FromMilliseconds(0.1), 2001);
    private readonly DurationHistogram _roundTrip = new(TimeSpan.FromMilliseconds(1), 2001);
    private long _streams;
    private long _packets;
    private long _lost;
    private long _lossyStreams;

    /// <summary>Adds one ended stream; a stream that received nothing (never answered, on hold throughout) adds only its round trip, if RTCP gave one.</summary>
    internal void RecordEnded(RtpStatistics statistics)
    {
        if (statistics.RoundTripTime is { } roundTrip)
        {
            _roundTrip.Record(roundTrip.Ticks);
        }

        if (statistics.PacketsReceived == 0)
        {
            return;
        }

        // RFC 3550 cumulative loss goes negative when duplicates outnumber losses: none lost.
        var lost = Math.Max(0, statistics.PacketsLost);
        Interlocked.Increment(ref _streams);
        Interlocked.Add(ref _packets, statistics.PacketsReceived);
        Interlocked.Add(ref _lost, lost);
        if (lost > LossyShare * (statistics.PacketsReceived + lost))
        {
            Interlocked.Increment(ref _lossyStreams);
        }

        _jitter.Record(TimeSpan.FromMilliseconds(statistics.JitterMilliseconds).Ticks);
    }

    public MediaReceiveQualitySnapshot Snapshot()
    {
        var jitter = _jitter.Read();
        var roundTrip = _roundTrip.Read();
        return new MediaReceiveQualitySnapshot(
            Interlocked.Read(ref _streams),
            Interlocked.Read(ref _packets),
            Interlocked.Read(ref _lost),
            Interlocked.Read(ref _lossyStreams),
            jitter.QuantileMs(0.50),
            jitter.QuantileMs(0.99),
            roundTrip.Total,
            roundTrip.QuantileMs(0.50),
            roundTrip.QuantileMs(0.99));
    }
}

/// <param name="Streams">Ended streams that received RTP.</param>
/// <param name="PacketsReceived">RTP packets they received.</param>
/// <param name="PacketsLost">RTP packets they never received (RFC 3550 cumulative loss, none counted below zero).</param>
/// <param name="LossyStreams">Of those streams, the ones that lost more than 1 % of their packets.</param>
/// <param name="JitterP50Ms">Median over those streams of their final RFC 3550 interarrival jitter (0.1 ms buckets, upper edge).</param>
/// <param name="JitterP99Ms">99th percentile of the same.</param>
/// <param name="RoundTrips">Ended streams whose RTCP gave a round-trip time.</param>
/// <param name="RoundTripP50Ms">Median of their last round-trip time (1 ms buckets, upper edge).</param>
/// <param name="RoundTripP99Ms">99th percentile of the same.</param>
public sealed record MediaReceiveQualitySnapshot(
    long Streams,
    long PacketsReceived,
    long PacketsLost,
    long LossyStreams,
    double JitterP50Ms,
    double JitterP99Ms,
    long RoundTrips,
    double RoundTripP50Ms,
    double RoundTripP99Ms);
