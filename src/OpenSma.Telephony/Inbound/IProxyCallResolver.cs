namespace OpenSma.Telephony.Inbound;

/// <summary>
/// Number masking (proxy sessions) as the inbound router needs it: given the voice connector a
/// call arrived on, the caller and the proxy number dialed, where the call goes. Telephony does not
/// know the control plane; the host implements this over its proxy-session records.
/// </summary>
public interface IProxyCallResolver
{
    /// <summary>The route for a call from <paramref name="fromNumber"/> to <paramref name="proxyNumber"/> on the connector, or null when it is not a proxy call.</summary>
    ValueTask<ProxyCallRoute?> ResolveAsync(string voiceConnectorId, string fromNumber, string proxyNumber, CancellationToken cancellationToken);
}

/// <summary>Where a proxy call goes.</summary>
/// <param name="ProxySessionId">The session the call belongs to; null when it goes to the connector's fallback number.</param>
/// <param name="Destination">The number to call: the other participant, or the fallback number.</param>
/// <param name="CallerId">The caller ID presented to the destination: the proxy number it dials to reach the caller.</param>
public sealed record ProxyCallRoute(string? ProxySessionId, string Destination, string CallerId);
