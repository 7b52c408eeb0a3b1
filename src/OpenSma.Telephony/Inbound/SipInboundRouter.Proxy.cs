using Microsoft.Extensions.Logging;
using OpenSma.Engine.Legs;
using OpenSma.Sip.Dialogs;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Legs;

namespace OpenSma.Telephony.Inbound;

// Proxy sessions (number masking): a call from a participant to their proxy number is dialed out
// to the other participant with the proxy number as caller ID and bridged, with no SMA involved.
public sealed partial class SipInboundRouter
{
    private IProxyCallResolver? _proxies;
    private ICallLegFactory? _proxyLegs;

    /// <summary>Raised when a proxy call starts: the caller's leg, the leg dialed out, and the route.</summary>
    public event Action<SipCallLeg, ICallLeg, ProxyCallRoute>? ProxyCallStarted;

    /// <summary>
    /// Turns on proxy-session routing: before SIP rules are consulted, a call to a number associated
    /// with a voice connector (or addressed to its host name) is offered to <paramref name="resolver"/>;
    /// a route dials the other participant through <paramref name="legs"/> (the dial router) and
    /// bridges the two legs.
    /// </summary>
    public void UseProxySessions(IProxyCallResolver resolver, ICallLegFactory legs)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(legs);
        _proxyLegs = legs;
        _proxies = resolver;
    }

    private async Task<ProxyCallRoute?> FindProxyRouteAsync(InviteFacts facts, CancellationToken cancellationToken)
    {
        if (_proxies is not { } proxies || (facts.DialedNumber ?? facts.ToNumber) is not { } dialed)
        {
            return null;
        }

        // The connectors the call arrived on: the one addressed by host name, and those the dialed number is associated with.
        var connectors = new List<string>(2);
        var addressed = await _reads.FindByKeyAsync<VoiceConnector>(facts.RequestHost.ToLowerInvariant(), cancellationToken).ConfigureAwait(false);
        if (addressed is not null)
        {
            connectors.Add(addressed.Value.Id);
        }

        if (await _reads.GetAsync<PhoneNumber>(dialed, cancellationToken).ConfigureAwait(false) is { } number)
        {
            connectors.AddRange(number.Value.Associations
                .Where(a => a.Name == "VoiceConnectorId" && !connectors.Contains(a.Value))
                .Select(a => a.Value));
        }

        foreach (var connector in connectors)
        {
            if (await proxies.ResolveAsync(connector, facts.Caller, dialed, cancellationToken).ConfigureAwait(false) is { } route)
            {
                return route;
            }
        }

        return null;
    }

    private SipCallLeg? StartProxyCall(SipDialog dialog, InviteFacts facts, string dialed, ProxyCallRoute route)
    {
        var caller = SipCallLeg.AcceptInvite(dialog, _plane, facts.Caller, dialed, facts.SipHeaders, _legLogger, out _);
        if (caller is null)
        {
            return null;
        }

        var callee = _proxyLegs!.CreateOutbound(new OutboundLegRequest(route.CallerId, route.Destination, null));
        LogProxied(_logger, dialog.CallId, facts.Caller, dialed, route.Destination, route.ProxySessionId ?? "(fallback)");
        ProxyCall.Start(caller, dialog, callee, _logger);
        ProxyCallStarted?.Invoke(caller, callee, route);
        return caller;
    }

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "INVITE {SipCallId} from {From} to proxy number {Number}: dialing {Destination} (proxy session {ProxySessionId})")]
    private static partial void LogProxied(ILogger logger, string sipCallId, string from, string number, string destination, string proxySessionId);
}
