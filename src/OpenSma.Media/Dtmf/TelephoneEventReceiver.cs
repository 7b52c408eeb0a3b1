namespace OpenSma.Media.Dtmf;

/// <summary>
/// Turns received RFC 4733 packets into key presses, each reported exactly once: at its first
/// packet, or at its end packet when every earlier packet was lost. An event is identified by its
/// RTP timestamp, so retransmitted end packets (normally three), redundant repeats and packets
/// reordered behind a newer event are ignored. A long event whose duration overflows 16 bits
/// continues in a new segment whose timestamp is the old one plus its duration (RFC 4733
/// section 2.5.1.3); that continuation is the same press, not a new digit. A segment's end is
/// recognized by its duration, or by the full 0xFFFF when its end packets were all lost.
/// Wired to a <see cref="DigitStream"/> (<see cref="Presses"/>), it also reports each accepted
/// packet's state of the press (length over all segments, end) for press observers. A press whose
/// end packets were all lost stays current here until the next press; relays end it by timeout.
/// </summary>
public sealed class TelephoneEventReceiver
{
    private const int Remembered = 16;

    // A timestamp this far behind the current event's (2 s) starts a new timeline, as in the jitter buffer.
    private const int NewTimelineSamples = 2 * 8000;

    private readonly uint[] _recent = new uint[Remembered];
    private int _recentCount;
    private int _recentNext;
    private bool _active;
    private uint _timestamp;
    private byte _event;
    private ushort _duration;
    private bool _ended;
    private int _earlierSegments; // samples in the current press's finished segments

    /// <summary>Where press progress goes (set by the session when someone observes presses); null: digits only.</summary>
    internal DigitStream? Presses { get; set; }

    /// <summary>Processes one packet; returns the digit when this packet starts a new press.</summary>
    public char? Process(uint rtpTimestamp, in TelephoneEvent value)
    {
        if (_active && rtpTimestamp == _timestamp)
        {
            // The same event again: progress, end, or a retransmitted end.
            _duration = Math.Max(_duration, value.Duration);
            _ended |= value.End;
            Presses?.OnTelephoneEventPacket(newPress: false, value.Volume, _earlierSegments + _duration, _ended);
            return null;
        }

        if (IsRecent(rtpTimestamp) || (_active && IsOlder(rtpTimestamp, _timestamp)))
        {
            return null;
        }

        var continuation = _active && !_ended && value.Event == _event
            && (rtpTimestamp == unchecked(_timestamp + _duration) || rtpTimestamp == unchecked(_timestamp + 0xFFFF));

        Remember(rtpTimestamp);
        _earlierSegments = continuation ? _earlierSegments + (int)unchecked(rtpTimestamp - _timestamp) : 0;
        _active = true;
        _timestamp = rtpTimestamp;
        _event = value.Event;
        _duration = value.Duration;
        _ended = value.End;
        var digit = continuation ? null : TelephoneEvent.ToDigit(value.Event);
        Presses?.OnTelephoneEventPacket(newPress: !continuation, value.Volume, _earlierSegments + _duration, _ended);
        return digit;
    }

    // Older than the current event, but not so far behind that it is a new timeline (a new SSRC or
    // a restarted sender whose timestamps start behind the old ones): that is a new press, or no
    // press from the new stream would be heard until its timestamps passed the old ones.
    private static bool IsOlder(uint candidate, uint current) => (int)(candidate - current) is < 0 and >= -NewTimelineSamples;

    private bool IsRecent(uint timestamp)
    {
        for (var i = 0; i < _recentCount; i++)
        {
            if (_recent[i] == timestamp)
            {
                return true;
            }
        }

        return false;
    }

    private void Remember(uint timestamp)
    {
        _recent[_recentNext] = timestamp;
        _recentNext = (_recentNext + 1) % Remembered;
        _recentCount = Math.Min(_recentCount + 1, Remembered);
    }
}
