namespace OpenSma.Media.Rtp;

/// <summary>
/// Reception statistics for one remote source, per RFC 3550 appendix A.1 (sequence validation
/// with wrap-around, dropout and misorder limits), A.3 (expected and lost counts) and A.8
/// (interarrival jitter), for RTCP receiver report blocks.
/// </summary>
public sealed class RtpReceiveStatistics
{
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;
    private const int SequenceModulus = 1 << 16;

    private ushort _maxSequence;
    private uint _cycles;
    private uint _baseSequence;
    private uint _badSequence = SequenceModulus + 1;
    private long _expectedPrior;
    private long _receivedPrior;
    private long _lastTransit;
    private bool _haveTransit;
    private double _jitter;

    public bool HasSource { get; private set; }

    public uint Ssrc { get; private set; }

    public long PacketsReceived { get; private set; }

    /// <summary>Highest sequence number seen, extended with the count of wrap-arounds.</summary>
    public uint ExtendedHighestSequence => _cycles + _maxSequence;

    public long ExpectedPackets => HasSource ? ExtendedHighestSequence - _baseSequence + 1 : 0;

    /// <summary>Expected minus received; negative when duplicates arrive, as the RFC allows.</summary>
    public long CumulativeLost => ExpectedPackets - PacketsReceived;

    /// <summary>Interarrival jitter in timestamp units (1/8000 s for G.711).</summary>
    public uint Jitter => (uint)_jitter;

    /// <summary>Records a packet; <paramref name="arrival"/> is the arrival time in RTP timestamp units.</summary>
    /// <returns>false for a packet far out of sequence (held until the source proves the new sequence).</returns>
    public bool Update(uint ssrc, ushort sequence, uint rtpTimestamp, long arrival)
    {
        if (!HasSource || ssrc != Ssrc)
        {
            Restart(ssrc, sequence);
        }
        else
        {
            var delta = (ushort)(sequence - _maxSequence);
            if (delta < MaxDropout)
            {
                if (sequence < _maxSequence)
                {
                    _cycles += SequenceModulus;
                }

                _maxSequence = sequence;
            }
            else if (delta <= SequenceModulus - MaxMisorder)
            {
                // A large jump: accept it only if the next packet continues from it (the peer restarted).
                if (sequence == _badSequence)
                {
                    Restart(ssrc, sequence);
                }
                else
                {
                    _badSequence = (uint)((sequence + 1) & (SequenceModulus - 1));
                    return false;
                }
            }

            // Otherwise a duplicate or reordered packet: counted, sequence state unchanged.
        }

        PacketsReceived++;
        var transit = arrival - rtpTimestamp;
        if (_haveTransit)
        {
            var d = Math.Abs(transit - _lastTransit);
            _jitter += (d - _jitter) / 16;
        }

        _lastTransit = transit;
        _haveTransit = true;
        return true;
    }

    /// <summary>The fraction lost since the previous call (8-bit fixed point, RFC 3550 A.3); advances the interval.</summary>
    public byte TakeFractionLost()
    {
        var expected = ExpectedPackets;
        var expectedInterval = expected - _expectedPrior;
        _expectedPrior = expected;
        var receivedInterval = PacketsReceived - _receivedPrior;
        _receivedPrior = PacketsReceived;
        var lostInterval = expectedInterval - receivedInterval;
        return expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
    }

    private void Restart(uint ssrc, ushort sequence)
    {
        HasSource = true;
        Ssrc = ssrc;
        _baseSequence = sequence;
        _maxSequence = sequence;
        _cycles = 0;
        _badSequence = SequenceModulus + 1;
        _expectedPrior = 0;
        _receivedPrior = 0;
        PacketsReceived = 0;
        _haveTransit = false;
        _jitter = 0;
    }
}
