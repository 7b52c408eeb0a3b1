using OpenSma.Media.Dtmf;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Mixing;

/// <summary>
/// Connects two legs so each hears the other (CallAndBridge). Audio crosses as PCM through a
/// jitter buffer per direction, so legs with different codecs are transcoded for free, and for
/// the same G.711 law the payload bytes come out unchanged (decode then encode is lossless).
/// Disposing the bridge disconnects both directions; each leg then sends its player or silence.
/// Key presses signalled on one leg (RFC 4733 or SIP INFO) are relayed to the other with their
/// real length (<see cref="DigitPressRelay"/>): as RFC 4733 events that start with the press and
/// end when it ends where that leg negotiated telephone-event, else as tones of the press's
/// length. In-band digits are not relayed; their tones already cross in the audio. The receiving
/// leg still reports every digit on its own <see cref="DigitStream"/>.
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
    private readonly DigitPressRelay? _relayToA;
    private readonly DigitPressRelay? _relayToB;
    private int _disposed;

    /// <summary>Length of a relayed key press whose source knows only its start (<see cref="RtpSession.RelayedDefaultLength"/>).</summary>
    public static readonly TimeSpan RelayedToneDuration = RtpSession.RelayedDefaultLength;

    /// <summary>Least audio between two relayed key presses (<see cref="RtpSession.RelayedGap"/>).</summary>
    public static readonly TimeSpan RelayedGap = RtpSession.RelayedGap;

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
            _relayToB = new DigitPressRelay(b);
            _relayToA = new DigitPressRelay(a);
            _digitsFromA = a.AddPressObserver(_relayToB);
            _digitsFromB = b.AddPressObserver(_relayToA);
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
        _relayToA?.Dispose(); // a press still held ends at its known length
        _relayToB?.Dispose();
        if (ReferenceEquals(_a.OutboundSource, _toA))
        {
            _a.OutboundSource = null;
        }

        if (ReferenceEquals(_b.OutboundSource, _toB))
        {
            _b.OutboundSource = null;
        }
    }
}
