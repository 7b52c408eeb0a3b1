using System.Threading.Channels;

namespace OpenSma.Media.Dtmf;

/// <summary>
/// The digits a leg receives, merged from RFC 4733, SIP INFO and in-band detection into one
/// ordered stream that collectors read. Once a peer has sent any RFC 4733 event, in-band
/// detection is ignored for the rest of the call: such peers often leave the tone in the audio
/// too, and the same press must not count twice. A press reported by two signalling paths at
/// once (some peers send INFO and RFC 4733 together) is counted once: the same digit from a
/// different source within <see cref="CrossSourceWindow"/> is dropped.
/// Press observers (<see cref="Rtp.RtpSession.AddPressObserver"/>) also hear each press's length:
/// the RFC 4733 receiver reports a held press's progress and end, SIP INFO gives its Duration.
/// </summary>
public sealed class DigitStream
{
    public static readonly TimeSpan CrossSourceWindow = TimeSpan.FromMilliseconds(300);

    /// <summary>Longest SIP INFO Duration believed; longer ones are cut to it (a relayed key is not held for minutes).</summary>
    public static readonly TimeSpan MaxSignalledLength = TimeSpan.FromSeconds(20);

    private readonly TimeProvider _time;
    private readonly DigitReader _reader = new();
    private DtmfDigit? _last;
    private long _lastTimestamp;
    private volatile bool _rfc4733Seen;
    private IDigitObserver[] _observers = [];
    private PressTracker? _presses; // created with the first press observer: most legs never have one

    public DigitStream(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>
    /// The merged digits, for any number of readers (each digit goes to one of them, in order).
    /// Behaves as an unbounded channel's reader; it is a lighter one (<see cref="DigitReader"/>),
    /// since every live leg has a stream and most never receive a digit.
    /// </summary>
    public ChannelReader<DtmfDigit> Reader => _reader;

    // The reader's lock guards this stream's state too (one lock per leg, not two).
    private Lock Gate => _reader.Gate;

    /// <summary>True once the peer has used RFC 4733; in-band digits are then ignored.</summary>
    public bool InBandSuppressed => _rfc4733Seen;

    public void OnTelephoneEvent(char digit)
    {
        _rfc4733Seen = true;
        Publish(digit, DtmfSource.Rfc4733);
    }

    /// <summary>For the SIP layer: a digit from an INFO request (application/dtmf-relay or application/dtmf) whose length is not known.</summary>
    public bool OnSipInfo(char digit) => OnSipInfo(digit, TimeSpan.Zero);

    /// <summary>
    /// For the SIP layer: a digit from an INFO request with its length (<c>Duration</c> of
    /// application/dtmf-relay), which press observers get as the press's final length.
    /// </summary>
    public bool OnSipInfo(char digit, TimeSpan duration)
    {
        if (TelephoneEvent.FromDigit(digit) is null)
        {
            return false;
        }

        var length = duration <= TimeSpan.Zero ? -1
            : (int)Math.Min(duration.Ticks, MaxSignalledLength.Ticks) / (int)(TimeSpan.TicksPerMillisecond / DigitPress.SamplesPerMillisecond);
        Publish(char.ToUpperInvariant(digit), DtmfSource.SipInfo, length);
        return true;
    }

    public void OnInBand(char digit)
    {
        if (!_rfc4733Seen)
        {
            Publish(digit, DtmfSource.InBand);
        }
    }

    /// <summary>
    /// Adds an observer (a bridge relaying digits to the other leg) that hears every published
    /// digit as well; collectors keep reading <see cref="Reader"/>. Dispose the result to remove it.
    /// </summary>
    public IDisposable AddObserver(IDigitObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (Gate)
        {
            _observers = [.. _observers, observer];
        }

        return new Removal(() => RemoveObserver(observer));
    }

    /// <summary>Adds a press observer; dispose the result to remove it. The session wires its RFC 4733 receiver first.</summary>
    internal IDisposable AddPressObserver(IDigitPressObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (Gate)
        {
            var presses = _presses ??= new();
            presses.Observers = [.. presses.Observers, observer];
        }

        return new Removal(() => RemovePressObserver(observer));
    }

    /// <summary>
    /// From the RFC 4733 receiver, for every packet it accepts: the current press's volume, its
    /// length so far (all segments) and whether it ended. <paramref name="newPress"/> comes just
    /// before the press is published (<see cref="OnTelephoneEvent"/>), which then carries this state.
    /// </summary>
    internal void OnTelephoneEventPacket(bool newPress, byte volume, int duration, bool ended)
    {
        DigitPress report;
        IDigitPressObserver[] observers;
        lock (Gate)
        {
            if (_presses is not { } presses)
            {
                return;
            }

            if (newPress)
            {
                presses.EventFresh = true;
                presses.EventPublished = false;
                presses.EventVolume = volume;
                presses.EventDuration = duration;
                presses.EventEnded = ended;
                return;
            }

            if (presses.EventEnded || (duration <= presses.EventDuration && !ended))
            {
                return; // a retransmitted end, a repeat, or no news
            }

            presses.EventDuration = Math.Max(presses.EventDuration, duration);
            presses.EventEnded = ended;
            if (!presses.EventPublished || presses.Observers.Length == 0)
            {
                return;
            }

            report = new DigitPress(presses.EventSerial, presses.EventDigit, DtmfSource.Rfc4733, presses.EventVolume, presses.EventDuration,
                ended ? DigitPressState.Ended : DigitPressState.Held, IsStart: false);
            observers = presses.Observers;
        }

        foreach (var observer in observers)
        {
            observer.OnPress(report);
        }
    }

    /// <summary>Ends the stream (the leg hung up); readers drain what is left.</summary>
    public void Complete() => _reader.TryComplete();

    // knownLength: the press's final length in samples (SIP INFO's Duration), -1 when not known.
    private void Publish(char digit, DtmfSource source, int knownLength = -1)
    {
        DtmfDigit value;
        IDigitObserver[] observers;
        IDigitPressObserver[] pressObservers = [];
        DigitPress press = default;
        lock (Gate)
        {
            var now = _time.GetTimestamp();
            var presses = _presses;
            var fromReceiver = source == DtmfSource.Rfc4733 && presses is { EventFresh: true };
            if (presses is not null && source == DtmfSource.Rfc4733)
            {
                presses.EventFresh = false;
            }

            if (_last is { } last && last.Digit == digit && last.Source != source
                && _time.GetElapsedTime(_lastTimestamp, now) < CrossSourceWindow)
            {
                return;
            }

            value = new DtmfDigit(digit, source, _time.GetUtcNow());
            _last = value;
            _lastTimestamp = now;
            _reader.TryWrite(value);
            observers = _observers;
            if (presses is not null)
            {
                press = presses.Start(digit, source, knownLength, fromReceiver);
                pressObservers = presses.Observers;
            }
        }

        // Outside the lock: an observer may send digits or touch another leg.
        foreach (var observer in observers)
        {
            observer.OnDigit(value);
        }

        foreach (var observer in pressObservers)
        {
            observer.OnPress(press);
        }
    }

    private void RemoveObserver(IDigitObserver observer)
    {
        lock (Gate)
        {
            _observers = [.. _observers.Where(o => !ReferenceEquals(o, observer))];
        }
    }

    private void RemovePressObserver(IDigitPressObserver observer)
    {
        lock (Gate)
        {
            if (_presses is { } presses)
            {
                presses.Observers = [.. presses.Observers.Where(o => !ReferenceEquals(o, observer))];
            }
        }
    }

    private sealed class Removal(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }

    /// <summary>Press numbering and the RFC 4733 press the receiver is on. Guarded by the stream's lock.</summary>
    private sealed class PressTracker
    {
        public IDigitPressObserver[] Observers = [];
        public int Serial;

        // The receiver's current press: noted at its first packet (fresh until published).
        public bool EventFresh;
        public bool EventPublished;
        public int EventSerial;
        public char EventDigit;
        public byte EventVolume;
        public int EventDuration;
        public bool EventEnded;

        public DigitPress Start(char digit, DtmfSource source, int knownLength, bool fromReceiver)
        {
            var serial = ++Serial;
            if (fromReceiver)
            {
                EventPublished = true;
                EventSerial = serial;
                EventDigit = digit;
                return new DigitPress(serial, digit, source, EventVolume, EventDuration,
                    EventEnded ? DigitPressState.Ended : DigitPressState.Held, IsStart: true);
            }

            return knownLength >= 0
                ? new DigitPress(serial, digit, source, TelephoneEventSender.Volume, knownLength, DigitPressState.Ended, IsStart: true)
                : new DigitPress(serial, digit, source, TelephoneEventSender.Volume, 0, DigitPressState.LengthUnknown, IsStart: true);
        }
    }
}
