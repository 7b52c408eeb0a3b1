using OpenSma.ControlPlane.Proxy;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Inbound;

namespace OpenSma.Host.Proxy;

/// <summary>
/// Proxy-session routing for the inbound SIP router, read from the control plane's proxy-session
/// records (Telephony does not reference the control plane).
/// </summary>
internal sealed class ControlPlaneProxyCalls(IResourceStore store, TimeProvider time) : IProxyCallResolver
{
    public async ValueTask<ProxyCallRoute?> ResolveAsync(string voiceConnectorId, string fromNumber, string proxyNumber, CancellationToken cancellationToken)
    {
        var route = await ProxySessionRouting.ResolveAsync(store, voiceConnectorId, fromNumber, proxyNumber, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return route is null ? null : new ProxyCallRoute(route.ProxySessionId, route.Destination, route.CallerId);
    }
}
