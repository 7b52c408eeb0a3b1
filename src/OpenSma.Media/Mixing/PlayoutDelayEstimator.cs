using System.Runtime.CompilerServices;

namespace OpenSma.Media.Mixing;

/// <summary>
/// How far behind the fastest packet playout must run so that (nearly) every packet is in time;
/// the statistics of <see cref="FrameBuffer"/>'s adaptive playout delay. All times are in samples
/// on two clocks: the sender's (RTP timestamps) and the reader's (samples read so far, one frame
/// per media clock tick), so tests drive it on virtual time by interleaving writes and reads, and
/// the delay measured is the one that matters for playout (a packet is in time if it is there at
/// the tick that needs it).
/// <para>
/// Per packet, the transit D = arrival clock - timestamp (RFC 3550 section 6.4.1, the constant
/// offset between the clocks included); the relative delay is D minus the smallest D of the last
/// two to four seconds (two windows of <see cref="WindowSamples"/>), so clock drift and a changed
/// route move the reference. Relative delays go into a histogram of 10 ms buckets with a forgetting
/// factor (about 100 packets remembered); the target is its 95th percentile, so a delay that a few
/// packets in a hundred exceed is ignored. A lone spike is ignored too, but spikes that repeat (two
/// more than a frame above the percentile within ten seconds) are a pattern the percentile misses
/// (a Wi-Fi scan, a mobile handover every few seconds): the target then covers the highest of them
/// until no spike has come for twenty seconds.
/// </para>
/// A struct inside the buffer (no object of its own); not thread-safe: the buffer's lock covers it.
/// </summary>
internal struct PlayoutDelayEstimator
{
    public const int BucketSamples = 80;
    public const int Buckets = 17; // 0, 10 ms ... 160 ms: the buffer's capacity
    public const int WindowSamples = 2 * 8000;
    public const int PeakIntervalSamples = 10 * 8000;
    public const int PeakHoldSamples = 20 * 8000;

    /// <summary>The target before any statistics: one frame over the fastest packet (40 ms queued at a read, as before).</summary>
    public const int InitialTarget = 160;

    private const float Forget = 0.99f;
    private const float Quantile = 0.95f;
    private const int PeakThreshold = 160;
    private const int SameBurstSamples = 8 * 160;

    private Histogram _histogram;
    private uint _minCurrent;
    private uint _minPrevious;
    private uint _windowStart;
    private uint _lastPeak;
    private int _quantile;
    private int _peakLevel;
    private byte _peaks;
    private bool _hasPrevious;
    private bool _hasReference;

    /// <summary>The smallest transit of the last two to four seconds; valid once a packet has arrived since <see cref="Reset"/>.</summary>
    public readonly uint Reference => _hasPrevious && Before(_minPrevious, _minCurrent) ? _minPrevious : _minCurrent;

    public readonly bool HasReference => _hasReference;

    /// <summary>The 95th percentile of the relative delay, in samples (a multiple of <see cref="BucketSamples"/>).</summary>
    public readonly int Percentile => _quantile;

    /// <summary>Forgets everything: the target is <see cref="InitialTarget"/> again.</summary>
    public void Reset()
    {
        ((Span<float>)_histogram).Clear();
        _histogram[InitialTarget / BucketSamples] = 1;
        _quantile = InitialTarget;
        _peaks = 0;
        _peakLevel = 0;
        _hasPrevious = false;
        _hasReference = false;
    }

    /// <summary>A new timeline (new source, restarted sender): this packet is the reference; the statistics stay.</summary>
    public void Rebase(uint clock, uint transit)
    {
        _minCurrent = transit;
        _hasPrevious = false;
        _windowStart = clock;
        _hasReference = true;
    }

    /// <summary>A packet with timestamp <c>clock - transit</c> arrived when the reader's clock was at <paramref name="clock"/>.</summary>
    public void OnArrival(uint clock, uint transit)
    {
        if (!_hasReference)
        {
            Rebase(clock, transit);
        }

        var age = clock - _windowStart;
        if (age >= 2 * WindowSamples)
        {
            _hasPrevious = false;
            _minCurrent = transit;
            _windowStart = clock;
        }
        else if (age >= WindowSamples)
        {
            _minPrevious = _minCurrent;
            _hasPrevious = true;
            _minCurrent = transit;
            _windowStart = clock;
        }
        else if (Before(transit, _minCurrent))
        {
            _minCurrent = transit;
        }

        var relative = Math.Max(0, (int)(transit - Reference));
        NotePeak(clock, relative);
        Add(relative);
    }

    /// <summary>The playout delay over the fastest packet to aim for, in samples, at most <paramref name="max"/>.</summary>
    public readonly int Target(uint clock, int max)
    {
        var target = _quantile;
        if (_peaks >= 2 && clock - _lastPeak <= PeakHoldSamples)
        {
            target = Math.Max(target, _peakLevel);
        }

        return Math.Min(target, max);
    }

    private static bool Before(uint a, uint b) => (int)(a - b) < 0;

    private void NotePeak(uint clock, int relative)
    {
        if (relative < _quantile + PeakThreshold)
        {
            return;
        }

        var since = clock - _lastPeak;
        if (_peaks > 0 && since < SameBurstSamples)
        {
            // More late packets of the same burst (a stall releases several at once).
            _peakLevel = Math.Max(_peakLevel, relative);
        }
        else if (_peaks > 0 && since <= PeakIntervalSamples)
        {
            _peaks = 2;
            _peakLevel = Math.Max(_peakLevel, relative);
        }
        else
        {
            _peaks = 1;
            _peakLevel = relative;
        }

        _lastPeak = clock;
    }

    private void Add(int relative)
    {
        var bucket = Math.Min(Buckets - 1, (relative + BucketSamples - 1) / BucketSamples);
        Span<float> histogram = _histogram;
        float total = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            histogram[i] *= Forget;
            total += histogram[i];
        }

        histogram[bucket] += 1 - Forget;
        total += 1 - Forget;

        var wanted = Quantile * total;
        float sum = 0;
        var found = histogram.Length - 1;
        for (var i = 0; i < histogram.Length; i++)
        {
            sum += histogram[i];
            if (sum >= wanted)
            {
                found = i;
                break;
            }
        }

        _quantile = found * BucketSamples;
    }

    [InlineArray(Buckets)]
    private struct Histogram
    {
        private float _bucket;
    }
}
