namespace OpenSma.Media.Dtmf;

/// <summary>
/// Sends key presses as RFC 4733 telephone-events, one packet per 20 ms tick: the first packet of
/// an event carries the marker bit, every packet of the event carries the event's start
/// timestamp and the duration so far, and the end is sent three times with the final duration
/// (RFC 4733 section 2.5.1.4). Between digits the stream carries audio for the gap. While an
/// event is on the wire the leg sends no audio packets.
/// <para>
/// Two kinds of press: digits of a known length (<see cref="Send"/>), and relayed presses
/// (<see cref="StartPress"/>) whose length becomes known while they are on the wire. A relayed
/// press starts at the next tick (or after the presses queued before it and a gap), grows one
/// packet interval per tick for as long as its source reports it held (never more than
/// <see cref="HoldLead"/> past the length last heard), and ends with the length its source
/// reports; a press its source stops reporting for <see cref="HoldTimeout"/> (end packets lost)
/// ends at the length last heard. A press longer than the 16-bit duration field (0xFFFF samples,
/// 8.19 s) continues in segments (RFC 4733 section 2.5.1.3): each segment's last packet carries
/// 0xFFFF without the end bit, three times, and the next segment starts at the old timestamp plus
/// 0xFFFF, without the marker bit.
/// </para>
/// </summary>
public sealed class TelephoneEventSender
{
    public const byte Volume = 10;   // -10 dBm0, a normal DTMF level
    public const int EndRepeats = 3;
    private const int SamplesPerTick = 160;
    private const int MaxSegment = 0xFFFF;

    /// <summary>A relayed press not heard of for this long has lost its end packets: it ends at the length last heard.</summary>
    public static readonly TimeSpan HoldTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>How far a held relayed press may run ahead of the length last heard (covers sources that update every 50 ms).</summary>
    public static readonly TimeSpan HoldLead = TimeSpan.FromMilliseconds(60);

    /// <summary>The shortest relayed press sent: one packet interval.</summary>
    public const int MinimumPressSamples = SamplesPerTick;

    /// <summary>
    /// Most relayed presses waiting behind the one on the wire (more than any dial string). A peer
    /// signalling presses faster than they can be sent (each takes at least 120 ms on the wire)
    /// would otherwise grow the queue, and the delay of every later press, without bound; presses
    /// beyond it are dropped (<see cref="DroppedPresses"/>).
    /// </summary>
    public const int MaxQueuedPresses = 32;

    private const int HoldTimeoutTicks = 10;
    private const int HoldLeadSamples = 3 * SamplesPerTick;

    private static readonly byte[][] s_singleCodes = [.. Enumerable.Range(0, 16).Select(code => new[] { (byte)code })];

    private readonly Lock _gate = new();
    private Queue<Request>? _queue; // created when a second item is queued: most legs never queue one
    private Request? _current;
    private int _index;
    private Phase _phase;
    private uint _eventTimestamp;   // the current segment's timestamp
    private int _elapsed;           // samples since the press started, all segments
    private int _segmentStart;      // _elapsed where the current segment began
    private int _reported;          // the length last sent, all segments
    private int _repeats;
    private int _gapTicks;
    private byte _code;
    private bool _cancelled;
    private int _queuedPresses;
    private long _droppedPresses;

    private enum Phase
    {
        Idle,
        Tone,
        SegmentEnd,
        End,
        Gap,
    }

    /// <summary>Relayed presses dropped because <see cref="MaxQueuedPresses"/> were already waiting.</summary>
    public long DroppedPresses => Interlocked.Read(ref _droppedPresses);

    public bool IsSending
    {
        get
        {
            lock (_gate)
            {
                return _current is not null;
            }
        }
    }

    /// <summary>Queues digits; the task completes when the last end packet has been sent, or false if cancelled.</summary>
    public Task<bool> Send(string digits, TimeSpan toneDuration, TimeSpan gap)
    {
        ArgumentNullException.ThrowIfNull(digits);
        ArgumentOutOfRangeException.ThrowIfLessThan(toneDuration, TimeSpan.FromMilliseconds(20));
        ArgumentOutOfRangeException.ThrowIfLessThan(gap, TimeSpan.Zero);
        var codes = new byte[digits.Length];
        for (var i = 0; i < digits.Length; i++)
        {
            codes[i] = TelephoneEvent.FromDigit(digits[i])
                ?? throw new ArgumentException($"'{digits[i]}' is not a DTMF digit (0-9, *, #, A-D).", nameof(digits));
        }

        // Durations are whole ticks, capped below the 16-bit duration field.
        var toneSamples = Math.Min(0xFFFF / SamplesPerTick, Math.Max(1, (int)Math.Round(toneDuration.TotalMilliseconds / 20))) * SamplesPerTick;
        var request = new Request(this, codes, Volume, (int)Math.Round(gap.TotalMilliseconds / 20), trailingGapTicks: 0, completion: true)
        {
            Ended = true,
            Final = toneSamples,
        };
        if (codes.Length == 0)
        {
            request.Completion!.TrySetResult(true);
            return request.Completion.Task;
        }

        Enqueue(request);
        return request.Completion!.Task;
    }

    /// <summary>
    /// Queues one relayed press whose length is not known yet (or is: <paramref name="ended"/>):
    /// <paramref name="duration"/> samples heard so far. Follow it with the returned press's
    /// <see cref="IRelayedPress.Update"/> and <see cref="IRelayedPress.End"/>. After it, at least
    /// <paramref name="gap"/> of audio before the next press.
    /// </summary>
    public IRelayedPress StartPress(byte eventCode, byte volume, int duration, bool ended, TimeSpan gap)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(eventCode, (byte)15);
        ArgumentOutOfRangeException.ThrowIfLessThan(gap, TimeSpan.Zero);
        var request = new Request(this, s_singleCodes[eventCode], (byte)(volume & 0x3F), gapTicks: 0, (int)Math.Ceiling(gap.TotalMilliseconds / 20), completion: false)
        {
            Open = true,
            Known = Math.Max(0, duration),
        };
        if (ended)
        {
            request.Ended = true;
            request.Final = Math.Max(MinimumPressSamples, duration);
        }

        return Enqueue(request) ? request : DroppedPress.Instance;
    }

    /// <summary>Abandons queued digits; a digit on the wire still gets its end packets so the peer does not hear a stuck key.</summary>
    public void Cancel()
    {
        Request[] dropped;
        lock (_gate)
        {
            dropped = _queue is { Count: > 0 } waiting ? [.. waiting] : [];
            _queue?.Clear();
            _queuedPresses = 0;
            if (_current is { } current)
            {
                _cancelled = true;
                switch (_phase)
                {
                    case Phase.Idle:
                        _index = current.Codes.Length;
                        break;
                    case Phase.Tone:
                    case Phase.SegmentEnd:
                        _index = current.Codes.Length - 1;
                        BeginEnd(Math.Max(_reported, _segmentStart));
                        break;
                    default:
                        _index = current.Codes.Length - 1;
                        _gapTicks = 0;
                        break;
                }
            }
        }

        foreach (var request in dropped)
        {
            request.Completion?.TrySetResult(false);
        }
    }

    /// <summary>
    /// Called once per tick. True when this tick carries an event packet (<paramref name="value"/>,
    /// sent with <paramref name="eventTimestamp"/> and the marker bit when <paramref name="marker"/>);
    /// false when the tick carries audio.
    /// </summary>
    public bool NextPacket(uint tickTimestamp, out TelephoneEvent value, out uint eventTimestamp, out bool marker)
    {
        value = default;
        eventTimestamp = 0;
        marker = false;
        Request? finished = null;
        bool result;
        lock (_gate)
        {
            result = Step(tickTimestamp, ref value, ref eventTimestamp, ref marker, ref finished);
        }

        finished?.Completion?.TrySetResult(!finished.Cancelled);
        return result;
    }

    // False when a relayed press was dropped: too many are waiting already.
    private bool Enqueue(Request request)
    {
        lock (_gate)
        {
            if (_current is null)
            {
                Begin(request);
            }
            else if (request.Open && _queuedPresses >= MaxQueuedPresses)
            {
                Interlocked.Increment(ref _droppedPresses);
                return false;
            }
            else
            {
                (_queue ??= new()).Enqueue(request);
                _queuedPresses += request.Open ? 1 : 0;
            }

            return true;
        }
    }

    private bool Step(uint tickTimestamp, ref TelephoneEvent value, ref uint eventTimestamp, ref bool marker, ref Request? finished)
    {
        var request = _current;
        if (request is null)
        {
            return false;
        }

        if (_phase == Phase.Gap)
        {
            if (_gapTicks-- > 0)
            {
                return false;
            }

            _index++;
            _phase = Phase.Idle;
        }

        if (_phase == Phase.Idle)
        {
            if (_index >= request.Codes.Length)
            {
                finished = request;
                request.Cancelled = _cancelled;
                _current = null;
                if (_queue is not null && _queue.TryDequeue(out var next))
                {
                    _queuedPresses -= next.Open ? 1 : 0;
                    Begin(next);
                    return Step(tickTimestamp, ref value, ref eventTimestamp, ref marker, ref finished);
                }

                return false;
            }

            _phase = Phase.Tone;
            _code = request.Codes[_index];
            _eventTimestamp = tickTimestamp;
            _elapsed = 0;
            _segmentStart = 0;
            _reported = 0;
            request.Quiet = 0;
            marker = true;
        }

        if (_phase is Phase.Tone or Phase.SegmentEnd)
        {
            _elapsed += SamplesPerTick;
            if (request.Open && !request.Ended && ++request.Quiet > HoldTimeoutTicks)
            {
                // Not heard of for the hold timeout: its end packets were lost.
                request.Ended = true;
                request.Final = Math.Max(request.Known, MinimumPressSamples);
            }
        }

        if (_phase == Phase.SegmentEnd)
        {
            if (_repeats < EndRepeats && !(request.Ended && request.Final <= _segmentStart + MaxSegment))
            {
                _repeats++;
                value = new TelephoneEvent(_code, false, request.Volume, MaxSegment);
                eventTimestamp = _eventTimestamp;
                return true;
            }

            if (request.Ended && request.Final <= _segmentStart + MaxSegment)
            {
                // Ended inside the segment being closed: its end packets close it.
                BeginEnd(_segmentStart + MaxSegment);
            }
            else
            {
                _eventTimestamp = unchecked(_eventTimestamp + MaxSegment);
                _segmentStart += MaxSegment;
                _phase = Phase.Tone;
            }
        }

        if (_phase == Phase.Tone)
        {
            var target = request.Ended ? Math.Max(request.Final, _reported) : request.Known + HoldLeadSamples;
            var report = Math.Max(_reported, Math.Min(_elapsed, target));
            if (report - _segmentStart > MaxSegment)
            {
                // RFC 4733 2.5.1.3: this segment is full; it ends (without the end bit) and the press goes on in the next.
                _reported = _segmentStart + MaxSegment;
                _phase = Phase.SegmentEnd;
                _repeats = 1;
                value = new TelephoneEvent(_code, false, request.Volume, MaxSegment);
                eventTimestamp = _eventTimestamp;
                return true;
            }

            _reported = report;
            if (!request.Ended || _elapsed < target)
            {
                value = new TelephoneEvent(_code, false, request.Volume, (ushort)(report - _segmentStart));
                eventTimestamp = _eventTimestamp;
                return true;
            }

            BeginEnd(report);
        }

        // Phase.End
        value = new TelephoneEvent(_code, true, request.Volume, (ushort)Math.Min(_reported - _segmentStart, MaxSegment));
        eventTimestamp = _eventTimestamp;
        if (++_repeats >= EndRepeats)
        {
            _phase = Phase.Gap;
            _gapTicks = _index == request.Codes.Length - 1
                ? request.TrailingGapTicks // the last digit: no gap unless a relayed press asks for one
                : request.GapTicks;
        }

        return true;
    }

    private void BeginEnd(int final)
    {
        _reported = Math.Max(final, _reported);
        _phase = Phase.End;
        _repeats = 0;
    }

    private void Begin(Request request)
    {
        _current = request;
        _cancelled = false;
        _index = 0;
        _phase = Phase.Idle;
    }

    private void Update(Request request, int duration)
    {
        lock (_gate)
        {
            if (!request.Ended)
            {
                request.Known = Math.Max(request.Known, duration);
                request.Quiet = 0;
            }
        }
    }

    private void End(Request request, int? duration)
    {
        lock (_gate)
        {
            if (request.Ended)
            {
                return;
            }

            request.Known = Math.Max(request.Known, duration ?? 0);
            request.Ended = true;
            request.Final = Math.Max(request.Known, MinimumPressSamples);
        }
    }

    /// <summary>A relayed press that was dropped (the queue was full): its reports are ignored.</summary>
    private sealed class DroppedPress : IRelayedPress
    {
        public static readonly DroppedPress Instance = new();

        public void Update(int duration)
        {
        }

        public void End(int duration)
        {
        }

        public void EndAtKnownLength()
        {
        }
    }

    /// <summary>One <see cref="Send"/> call (its digits) or one relayed press. Its mutable state is guarded by the sender's lock.</summary>
    private sealed class Request(TelephoneEventSender owner, byte[] codes, byte volume, int gapTicks, int trailingGapTicks, bool completion) : IRelayedPress
    {
        public byte[] Codes { get; } = codes;

        public byte Volume { get; } = volume;

        public int GapTicks { get; } = gapTicks;

        public int TrailingGapTicks { get; } = trailingGapTicks;

        public TaskCompletionSource<bool>? Completion { get; } = completion ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

        public bool Cancelled { get; set; }

        /// <summary>A relayed press: its length is followed, not fixed.</summary>
        public bool Open { get; init; }

        /// <summary>The length heard so far (relayed presses).</summary>
        public int Known { get; set; }

        /// <summary>The final length is known: <see cref="Final"/>.</summary>
        public bool Ended { get; set; }

        public int Final { get; set; }

        /// <summary>Ticks on the wire since the source last reported the press.</summary>
        public int Quiet { get; set; }

        public void Update(int duration) => owner.Update(this, duration);

        public void End(int duration) => owner.End(this, duration);

        public void EndAtKnownLength() => owner.End(this, null);
    }
}
