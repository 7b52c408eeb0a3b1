using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Proxy;

/// <summary>Where a call to a proxy number goes.</summary>
/// <param name="ProxySessionId">The session the call belongs to; null when the call goes to the fallback number.</param>
/// <param name="Destination">The number to call: the other participant, or the connector's fallback number.</param>
/// <param name="CallerId">The caller id to present: the proxy number the other participant dials back.</param>
public sealed record ProxyRoute(string? ProxySessionId, string Destination, string CallerId);

/// <summary>
/// Number masking for inbound calls on a voice connector: a call from a participant to their
/// proxy number is bridged to the other participant, who sees their own proxy number as the
/// caller. The telephony layer calls this when a call arrives on a connector.
/// </summary>
public static class ProxySessionRouting
{
    /// <summary>The route for a call from <paramref name="fromNumber"/> to <paramref name="toNumber"/>
    /// on the connector, or null when the call is not a proxy call.</summary>
    public static async Task<ProxyRoute?> ResolveAsync(
        IResourceStore store,
        string voiceConnectorId,
        string fromNumber,
        string toNumber,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var proxy = await store.GetAsync<VoiceConnectorProxy>(voiceConnectorId, cancellationToken).ConfigureAwait(false);
        if (proxy is null)
        {
            return null;
        }

        var from = Normalize(fromNumber);
        var to = Normalize(toNumber);
        var sessions = await store.ListAllAsync<ProxySession>(cancellationToken).ConfigureAwait(false);
        var matches = sessions
            .Select(s => s.Value)
            .Where(s => s.VoiceConnectorId == voiceConnectorId && s.Participants.Any(p => p.PhoneNumber == from && p.ProxyPhoneNumber == to))
            .ToList();
        var open = matches.FirstOrDefault(s =>
            s.Status != ProxySessionStatus.Closed && !ProxySessionLedger.IsExpired(s, now) && s.Capabilities.Contains("Voice"));
        if (open is not null)
        {
            var other = open.Participants.First(p => p.PhoneNumber != from);
            return new ProxyRoute(open.Id, other.PhoneNumber, other.ProxyPhoneNumber);
        }

        // A participant calling the proxy number of a session that has ended reaches the fallback number.
        return matches.Count > 0 && proxy.Value.FallBackPhoneNumber is { } fallback
            ? new ProxyRoute(null, fallback, to)
            : null;
    }

    private static string Normalize(string number) => number.StartsWith('+') ? number : "+" + number;
}
