using OpenSma.Storage.Resources;
using OpenSma.Telephony.Inbound;

namespace OpenSma.Telephony.Tests.Inbound;

/// <summary>
/// A proxy-session resolver over the resource store, as a host would write one without the control
/// plane: an open, unexpired voice session in which the caller holds the dialed proxy number routes
/// to the other participant (caller ID: the other participant's proxy number); a matching session
/// that is no longer open routes to the connector's fallback number.
/// </summary>
internal sealed class StoreProxyCallResolver(IResourceStore store, TimeProvider time) : IProxyCallResolver
{
    public async ValueTask<ProxyCallRoute?> ResolveAsync(string voiceConnectorId, string fromNumber, string proxyNumber, CancellationToken cancellationToken)
    {
        if (await store.GetAsync<VoiceConnectorProxy>(voiceConnectorId, cancellationToken) is not { Value: { Disabled: false } proxy })
        {
            return null;
        }

        var now = time.GetUtcNow();
        var matches = (await store.ListAllAsync<ProxySession>(cancellationToken))
            .Select(s => s.Value)
            .Where(s => s.VoiceConnectorId == voiceConnectorId && s.Participants.Any(p => p.PhoneNumber == fromNumber && p.ProxyPhoneNumber == proxyNumber))
            .ToList();
        var open = matches.FirstOrDefault(s => s.Status != "Closed" && (s.ExpiresAt is null || s.ExpiresAt > now) && s.Capabilities.Contains("Voice"));
        if (open is not null)
        {
            var other = open.Participants.First(p => p.PhoneNumber != fromNumber);
            return new ProxyCallRoute(open.Id, other.PhoneNumber, other.ProxyPhoneNumber);
        }

        return matches.Count > 0 && proxy.FallBackPhoneNumber is { } fallback ? new ProxyCallRoute(null, fallback, proxyNumber) : null;
    }
}
