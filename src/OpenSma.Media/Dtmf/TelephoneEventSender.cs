namespace OpenSma.Media.Dtmf;

/// <summary>
/// Sends key presses as RFC 4733 telephone-events, one packet per 20 ms tick: the first packet of
/// an event carries the marker bit, every packet of the event carries the event's start
/// timestamp and the duration so far, and the end is sent three times with the final duration
/// (RFC 4733 section 2.5.1.4). Between digits the stream carries audio for the gap. While an
/// event is on the wire the leg sends no audio packets.
/// </summary>
public sealed class TelephoneEventSender
{
    public const byte Volume = 10;   // -10 dBm0, a normal DTMF level
    public const int EndRepeats = 3;
    private const int SamplesPerTick = 160;

    private readonly Lock _gate = new();
    private Queue<Request>? _queue; // created when a second item is queued: most legs never queue one
    private Request? _current;
    private int _index;
    private Phase _phase;
    private uint _eventTimestamp;
    private int _elapsed;
    private int _endsSent;
    private int _gapTicks;
    private byte _code;
    private bool _cancelled;

    private enum Phase
    {
        Idle,
        Tone,
        End,
        Gap,
    }

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
        var gapTicks = (int)Math.Round(gap.TotalMilliseconds / 20);
        var request = new Request(codes, toneSamples, gapTicks);
        lock (_gate)
        {
            if (codes.Length == 0)
            {
                request.Completion.TrySetResult(true);
            }
            else if (_current is null)
            {
                Begin(request);
            }
            else
            {
                (_queue ??= new()).Enqueue(request);
            }
        }

        return request.Completion.Task;
    }

    /// <summary>Abandons queued digits; a digit on the wire still gets its end packets so the peer does not hear a stuck key.</summary>
    public void Cancel()
    {
        Request[] dropped;
        lock (_gate)
        {
            dropped = _queue is { Count: > 0 } waiting ? [.. waiting] : [];
            _queue?.Clear();
            if (_current is { } current)
            {
                _cancelled = true;
                switch (_phase)
                {
                    case Phase.Idle:
                        _index = current.Codes.Length;
                        break;
                    case Phase.Tone:
                        _index = current.Codes.Length - 1;
                        _phase = Phase.End;
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
            request.Completion.TrySetResult(false);
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

        finished?.Completion.TrySetResult(!finished.Cancelled);
        return result;
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
                    Begin(next);
                    return Step(tickTimestamp, ref value, ref eventTimestamp, ref marker, ref finished);
                }

                return false;
            }

            _phase = Phase.Tone;
            _code = request.Codes[_index];
            _eventTimestamp = tickTimestamp;
            _elapsed = 0;
            _endsSent = 0;
            marker = true;
        }

        var code = _code;
        eventTimestamp = _eventTimestamp;
        if (_phase == Phase.Tone)
        {
            _elapsed += SamplesPerTick;
            if (_elapsed < request.ToneSamples)
            {
                value = new TelephoneEvent(code, false, Volume, (ushort)_elapsed);
                return true;
            }

            _phase = Phase.End;
        }

        value = new TelephoneEvent(code, true, Volume, (ushort)Math.Min(_elapsed, 0xFFFF));
        if (++_endsSent >= EndRepeats)
        {
            _phase = Phase.Gap;
            _gapTicks = request.GapTicks;
            if (_index == request.Codes.Length - 1)
            {
                _gapTicks = 0; // no trailing gap after the last digit
            }
        }

        return true;
    }

    private void Begin(Request request)
    {
        _current = request;
        _cancelled = false;
        _index = 0;
        _phase = Phase.Idle;
    }

    private sealed class Request(byte[] codes, int toneSamples, int gapTicks)
    {
        public byte[] Codes { get; } = codes;

        public int ToneSamples { get; } = toneSamples;

        public int GapTicks { get; } = gapTicks;

        public bool Cancelled { get; set; }

        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
