using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenSma.Engine.Legs;
using OpenSma.Sip;
using OpenSma.Telephony.Legs;

namespace OpenSma.Telephony.Outbound;

/// <summary>
/// Creates outbound SIP legs (CreateSipMediaApplicationCall, CallAndBridge) that the router sends on
/// their way. A leg the router sends out a voice connector is first admitted under the
/// voice-connector quotas (<see cref="VoiceConnectorQuotas"/>); over them it ends 503, as when the
/// trunk cannot take the call.
/// </summary>
public sealed class SipCallLegFactory : ICallLegFactory
{
    private readonly SipEndpoint _endpoint;
    private readonly ISipDialRouter _router;
    private readonly MediaPlane _plane;
    private readonly ILogger _logger;
    private readonly VoiceConnectorQuotas _quotas;

    public SipCallLegFactory(SipEndpoint endpoint, ISipDialRouter router, MediaPlane plane, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(plane);
        _endpoint = endpoint;
        _router = router;
        _plane = plane;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("OpenSma.Telephony.Legs");
        _quotas = plane.VoiceConnectorQuotas;
    }

    /// <summary>The voice-connector quotas this factory's legs are admitted under (shared with the inbound router).</summary>
    public VoiceConnectorQuotas Quotas => _quotas;

    /// <summary>Raised for each leg created (tests and the phone rig watch it).</summary>
    public event Action<SipCallLeg>? LegCreated;

    public ICallLeg CreateOutbound(OutboundLegRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_quotas.IsEnabled)
        {
            var plain = SipCallLeg.CreateOutbound(request, _endpoint, _router, _plane, _logger);
            LegCreated?.Invoke(plain);
            return plain;
        }

        var router = new QuotaRouter(_router, _quotas);
        var leg = SipCallLeg.CreateOutbound(request, _endpoint, router, _plane, _logger);
        router.Leg = leg;
        LegCreated?.Invoke(leg);
        return leg;
    }

    /// <summary>One leg's router: a plan through a voice connector holds a quota slot for the leg's life, or fails 503.</summary>
    private sealed class QuotaRouter(ISipDialRouter inner, VoiceConnectorQuotas quotas) : ISipDialRouter
    {
        public SipCallLeg? Leg { get; set; }

        public async ValueTask<SipDialPlan> PlanAsync(OutboundLegRequest request, CancellationToken cancellationToken)
        {
            var plan = await inner.PlanAsync(request, cancellationToken).ConfigureAwait(false);
            if (plan is not { VoiceConnectorId: { } connector, Attempts.Count: > 0 })
            {
                return plan;
            }

            // The slot counts until the leg is released, whichever way the call ends.
            var leg = Leg ?? throw new InvalidOperationException("The leg dials before it exists.");
            return quotas.TryAdmit(connector, leg, out var refusal) is null
                ? SipDialPlan.Fail(503, refusal!)
                : plan;
        }
    }
}
