using System.Threading.Channels;

namespace OpenSma.Media.Dtmf;

/// <summary>
/// The digits a leg receives, merged from RFC 4733, SIP INFO and in-band detection into one
/// ordered stream that collectors read. Once a peer has sent any RFC 4733 event, in-band
/// detection is ignored for the rest of the call: such peers often leave the tone in the audio
/// too, and the same press must not count twice. A press reported by two signalling paths at
/// once (some peers send INFO and RFC 4733 together) is counted once: the same digit from a
/// different source within <see cref="CrossSourceWindow"/> is dropped.
/// </summary>
public sealed class DigitStream
{
    public static readonly TimeSpan CrossSourceWindow = TimeSpan.FromMilliseconds(300);

    private readonly TimeProvider _time;
    private readonly DigitReader _reader = new();
    private DtmfDigit? _last;
    private long _lastTimestamp;
    private volatile bool _rfc4733Seen;
    private IDigitObserver[] _observers = [];

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

    /// <summary>For the SIP layer: a digit from an INFO request (application/dtmf-relay or application/dtmf).</summary>
    public bool OnSipInfo(char digit)
    {
        if (TelephoneEvent.FromDigit(digit) is null)
        {
            return false;
        }

        Publish(char.ToUpperInvariant(digit), DtmfSource.SipInfo);
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

        return new ObserverRegistration(this, observer);
    }

    /// <summary>Ends the stream (the leg hung up); readers drain what is left.</summary>
    public void Complete() => _reader.TryComplete();

    private void Publish(char digit, DtmfSource source)
    {
        DtmfDigit value;
        IDigitObserver[] observers;
        lock (Gate)
        {
            var now = _time.GetTimestamp();
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
        }

        // Outside the lock: an observer may send digits or touch another leg.
        foreach (var observer in observers)
        {
            observer.OnDigit(value);
        }
    }

    private void RemoveObserver(IDigitObserver observer)
    {
        lock (Gate)
        {
            _observers = [.. _observers.Where(o => !ReferenceEquals(o, observer))];
        }
    }

    private sealed class ObserverRegistration(DigitStream stream, IDigitObserver observer) : IDisposable
    {
        public void Dispose() => stream.RemoveObserver(observer);
    }
}
