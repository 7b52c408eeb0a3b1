using OpenSma.Media.Dtmf;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Mixing;

/// <summary>
/// Connects two legs so each hears the other (CallAndBridge). Audio crosses as PCM through a
/// jitter buffer per direction, so legs with different codecs are transcoded for free, and for
/// the same G.711 law the payload bytes come out unchanged (decode then encode is lossless).
/// Disposing the bridge disconnects both directions; each leg then sends its player or silence.
/// Digits signalled on one leg (RFC 4733 or SIP INFO) are relayed to the other with
/// <see cref="RtpSession.SendDigitsAsync"/>: as RFC 4733 events where that leg negotiated
/// telephone-event, else as tones. In-band digits are not relayed; their tones already cross in the
/// audio. The receiving leg still reports every digit on its own <see cref="DigitStream"/>.
/// </summary>
public sealed class LegBridge : IDisposable
{
    private readonly RtpSession _a;
    private readonly RtpSession _b;
    private readonly FrameBuffer _toB = new();
    private readonly FrameBuffer _toA = new();
    private readonly IDisposable _fromA;
    private readonly IDisposable _fromB;
    private readonly IDisposable? _digitsFromA;
    private readonly IDisposable? _digitsFromB;
    private int _disposed;

    /// <summary>Length of each relayed key press; the receiving side reports a press at its start, so its real length is unknown.</summary>
    public static readonly TimeSpan RelayedToneDuration = TimeSpan.FromMilliseconds(100);

    /// <summary>Silence after each relayed key press.</summary>
    public static readonly TimeSpan RelayedGap = TimeSpan.FromMilliseconds(60);

    public LegBridge(RtpSession a, RtpSession b)
        : this(a, b, relayDigits: true)
    {
    }

    public LegBridge(RtpSession a, RtpSession b, bool relayDigits)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        _a = a;
        _b = b;
        _fromA = a.AddInboundSink(_toB);
        _fromB = b.AddInboundSink(_toA);
        b.OutboundSource = _toB;
        a.OutboundSource = _toA;
        if (relayDigits)
        {
            _digitsFromA = a.Digits.AddObserver(new DigitRelay(this, b));
            _digitsFromB = b.Digits.AddObserver(new DigitRelay(this, a));
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _fromA.Dispose();
        _fromB.Dispose();
        _digitsFromA?.Dispose();
        _digitsFromB?.Dispose();
        if (ReferenceEquals(_a.OutboundSource, _toA))
        {
            _a.OutboundSource = null;
        }

        if (ReferenceEquals(_b.OutboundSource, _toB))
        {
            _b.OutboundSource = null;
        }
    }

    private sealed class DigitRelay(LegBridge bridge, RtpSession to) : IDigitObserver
    {
        public void OnDigit(DtmfDigit digit)
        {
            if (digit.Source == DtmfSource.InBand || Volatile.Read(ref bridge._disposed) != 0)
            {
                return;
            }

            // Queued behind any digit still on the wire; the task needs no waiting.
            _ = to.SendDigitsAsync(digit.Digit.ToString(), RelayedToneDuration, RelayedGap);
        }
    }
}
