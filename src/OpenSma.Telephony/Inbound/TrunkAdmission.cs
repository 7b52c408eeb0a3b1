using System.Net;
using OpenSma.Sip.Registrar;
using OpenSma.Storage.Resources;

namespace OpenSma.Telephony.Inbound;

/// <summary>
/// Who may place calls into OpenSMA. An INVITE addressed to a voice connector's host name must come
/// from that connector's allowed networks (Termination.CidrAllowedList) when it lists any; with
/// <see cref="TelephonyOptions.RequireTrunkAuthorization"/> every caller must be an allowed trunk host
/// or a registered softphone. Otherwise (zero-config) anyone may call.
/// </summary>
internal sealed class TrunkAdmission(IResourceStore store, SipRegistrar? registrar, TelephonyOptions options)
{
    public async ValueTask<(bool Allowed, string Reason)> CheckAsync(InviteFacts facts, CancellationToken cancellationToken)
    {
        var connector = await store.FindByKeyAsync<VoiceConnector>(facts.RequestHost, cancellationToken).ConfigureAwait(false)
            ?? await store.FindByKeyAsync<VoiceConnector>(facts.RequestHost.ToLowerInvariant(), cancellationToken).ConfigureAwait(false);
        if (connector?.Value is { } addressed)
        {
            if (addressed.Termination is { Disabled: true })
            {
                return (false, $"voice connector {addressed.Id} does not accept calls (termination disabled)");
            }

            var cidrs = addressed.Termination?.CidrAllowedList ?? [];
            if (cidrs.Count == 0 && !options.RequireTrunkAuthorization)
            {
                return (true, "voice connector without an allow list");
            }

            return InAny(cidrs, facts.Source)
                ? (true, "allowed by the voice connector's CIDR list")
                : (false, $"{facts.Source} is not in voice connector {addressed.Id}'s allowed networks");
        }

        if (!options.RequireTrunkAuthorization)
        {
            return (true, "trunk checks are off");
        }

        if (facts.Source is { } source && registrar is not null
            && registrar.Users().Any(u => registrar.Lookup(u).Any(b => Same(b.Source.Address, source))))
        {
            return (true, "registered softphone");
        }

        foreach (var stored in await store.ListAllAsync<VoiceConnector>(cancellationToken).ConfigureAwait(false))
        {
            if (stored.Value.Termination is { Disabled: false, CidrAllowedList: { Count: > 0 } list } && InAny(list, facts.Source))
            {
                return (true, $"allowed by voice connector {stored.Value.Id}");
            }
        }

        return (false, $"{facts.Source} is neither an allowed trunk host nor a registered softphone");
    }

    internal static bool InAny(IReadOnlyList<string> cidrs, IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var text in cidrs)
        {
            if (IPNetwork.TryParse(text, out var network) ? network.Contains(normalized)
                : IPAddress.TryParse(text, out var single) && single.Equals(normalized))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Same(IPAddress a, IPAddress b) =>
        (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);
}
