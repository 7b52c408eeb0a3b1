using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenSma.Engine.Legs;
using OpenSma.Sip;
using OpenSma.Telephony.Legs;

namespace OpenSma.Telephony.Outbound;

/// <summary>Creates outbound SIP legs (CreateSipMediaApplicationCall, CallAndBridge) that the router sends on their way.</summary>
public sealed class SipCallLegFactory : ICallLegFactory
{
    private readonly SipEndpoint _endpoint;
    private readonly ISipDialRouter _router;
    private readonly MediaPlane _plane;
    private readonly ILogger _logger;

    public SipCallLegFactory(SipEndpoint endpoint, ISipDialRouter router, MediaPlane plane, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(plane);
        _endpoint = endpoint;
        _router = router;
        _plane = plane;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("OpenSma.Telephony.Legs");
    }

    /// <summary>Raised for each leg created (tests and the phone rig watch it).</summary>
    public event Action<SipCallLeg>? LegCreated;

    public ICallLeg CreateOutbound(OutboundLegRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var leg = SipCallLeg.CreateOutbound(request, _endpoint, _router, _plane, _logger);
        LegCreated?.Invoke(leg);
        return leg;
    }
}
