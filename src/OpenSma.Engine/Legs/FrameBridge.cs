using OpenSma.Media.Dtmf;
using OpenSma.Media.Mixing;

namespace OpenSma.Engine.Legs;

/// <summary>
/// Connects two legs so each hears the other, whatever their kind (SIP with SIP, SIP with virtual,
/// virtual with virtual), at the <see cref="IBridgeEndpoint"/> seam. Each direction crosses as PCM
/// through a <see cref="FrameBuffer"/>: the sending leg writes on its own media clock (or as RTP
/// arrives, placed by timestamp), the receiving leg reads one frame per tick of its clock, so two
/// legs on different clocks meet there, and G.711 laws are transcoded by going through PCM. Key
/// presses one leg's far end signals out of band are relayed to the other with their length as it
/// becomes known (<see cref="IBridgeEndpoint.ObserveSignalledPresses"/> into the other leg's
/// <see cref="IBridgeEndpoint.OpenPressRelay"/>); each leg still reports its own digits to the engine. Disposing (either leg, once) disconnects
/// both directions and leaves no sink, source or digit observer behind.
/// </summary>
public sealed class FrameBridge : IDisposable
{
    // Joins and leaves are rare (per call) and touch two legs at once; one lock keeps pairs consistent.
    private static readonly Lock s_gate = new();

    private readonly FrameBuffer _toA = new();
    private readonly FrameBuffer _toB = new();
    private readonly IDisposable _fromA;
    private readonly IDisposable _fromB;
    private readonly IDisposable _digitsFromA;
    private readonly IDisposable _digitsFromB;
    private readonly IDigitPressObserver _relayToA;
    private readonly IDigitPressObserver _relayToB;
    private volatile bool _disposed;

    private FrameBridge(IBridgeEndpoint a, IBridgeEndpoint b)
    {
        A = a;
        B = b;
        _fromA = a.AddBridgeSink(_toB);
        _fromB = b.AddBridgeSink(_toA);
        a.BridgeSource = _toA;
        b.BridgeSource = _toB;
        _relayToA = a.OpenPressRelay();
        _relayToB = b.OpenPressRelay();
        _digitsFromA = a.ObserveSignalledPresses(new Relay(this, _relayToB));
        _digitsFromB = b.ObserveSignalledPresses(new Relay(this, _relayToA));
    }

    /// <summary>The leg that asked first.</summary>
    public IBridgeEndpoint A { get; }

    public IBridgeEndpoint B { get; }

    public bool IsDisposed => _disposed;

    /// <summary>The leg on the other side of the bridge from <paramref name="leg"/>.</summary>
    public IBridgeEndpoint Other(IBridgeEndpoint leg) => ReferenceEquals(leg, A) ? B : A;

    /// <summary>
    /// Bridges <paramref name="a"/> with <paramref name="b"/>, or returns the bridge they already
    /// share (the engine asks from both sides). Either leg's old bridge is ended first. Null when
    /// either leg cannot bridge (ended, no media) or both are the same leg.
    /// </summary>
    public static FrameBridge? Join(IBridgeEndpoint a, IBridgeEndpoint b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (ReferenceEquals(a, b))
        {
            return null;
        }

        lock (s_gate)
        {
            if (a.Bridge is { } shared && ReferenceEquals(shared, b.Bridge))
            {
                return shared;
            }
        }

        // Outside the lock: a SIP leg may signal (183) here, and the SIP stack may end legs under its own lock.
        a.OpenBridgeMedia();
        b.OpenBridgeMedia();
        lock (s_gate)
        {
            if (a.Bridge is { } shared && ReferenceEquals(shared, b.Bridge))
            {
                return shared;
            }

            // A leg ends by marking itself first and leaving its bridge second (Leave takes this
            // lock), so a leg that cannot bridge here is never left holding a bridge.
            if (!a.CanBridge || !b.CanBridge)
            {
                return null;
            }

            a.Bridge?.DisposeLocked();
            b.Bridge?.DisposeLocked();
            var bridge = new FrameBridge(a, b);
            a.Bridge = bridge;
            b.Bridge = bridge;
            return bridge;
        }
    }

    /// <summary>Ends the bridge <paramref name="leg"/> is in, if any (unbridge, or the leg ended).</summary>
    public static void Leave(IBridgeEndpoint leg)
    {
        ArgumentNullException.ThrowIfNull(leg);
        lock (s_gate)
        {
            leg.Bridge?.DisposeLocked();
        }
    }

    public void Dispose()
    {
        lock (s_gate)
        {
            DisposeLocked();
        }
    }

    private void DisposeLocked()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _fromA.Dispose();
        _fromB.Dispose();
        _digitsFromA.Dispose();
        _digitsFromB.Dispose();
        // A press still held on the other side ends at its known length.
        (_relayToA as IDisposable)?.Dispose();
        (_relayToB as IDisposable)?.Dispose();
        if (ReferenceEquals(A.BridgeSource, _toA))
        {
            A.BridgeSource = null;
        }

        if (ReferenceEquals(B.BridgeSource, _toB))
        {
            B.BridgeSource = null;
        }

        if (ReferenceEquals(A.Bridge, this))
        {
            A.Bridge = null;
        }

        if (ReferenceEquals(B.Bridge, this))
        {
            B.Bridge = null;
        }
    }

    private sealed class Relay(FrameBridge bridge, IDigitPressObserver to) : IDigitPressObserver
    {
        public void OnPress(in DigitPress press)
        {
            if (!bridge._disposed)
            {
                to.OnPress(press);
            }
        }
    }
}
