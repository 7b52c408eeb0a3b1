using OpenSma.Media.Mixing;

namespace OpenSma.Telephony.Legs;

/// <summary>
/// The one <see cref="LegBridge"/> two SIP legs share, counted on the media plane while it relays.
/// Either leg may end it; the first dispose disconnects both directions, later ones do nothing.
/// </summary>
internal sealed class BridgeLink : IDisposable
{
    private readonly MediaPlane _plane;
    private readonly LegBridge _bridge;
    private int _disposed;

    public BridgeLink(MediaPlane plane, LegBridge bridge)
    {
        _plane = plane;
        _bridge = bridge;
        plane.BridgeOpened();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _bridge.Dispose();
            _plane.BridgeClosed();
        }
    }
}
