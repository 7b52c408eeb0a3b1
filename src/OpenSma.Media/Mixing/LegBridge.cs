using OpenSma.Media.Rtp;

namespace OpenSma.Media.Mixing;

/// <summary>
/// Connects two legs so each hears the other (CallAndBridge). Audio crosses as PCM through a
/// jitter buffer per direction, so legs with different codecs are transcoded for free, and for
/// the same G.711 law the payload bytes come out unchanged (decode then encode is lossless).
/// Disposing the bridge disconnects both directions; each leg then sends its player or silence.
/// </summary>
public sealed class LegBridge : IDisposable
{
    private readonly RtpSession _a;
    private readonly RtpSession _b;
    private readonly FrameBuffer _toB = new();
    private readonly FrameBuffer _toA = new();
    private readonly IDisposable _fromA;
    private readonly IDisposable _fromB;
    private int _disposed;

    public LegBridge(RtpSession a, RtpSession b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        _a = a;
        _b = b;
        _fromA = a.AddInboundSink(_toB);
        _fromB = b.AddInboundSink(_toA);
        b.OutboundSource = _toB;
        a.OutboundSource = _toA;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _fromA.Dispose();
        _fromB.Dispose();
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
