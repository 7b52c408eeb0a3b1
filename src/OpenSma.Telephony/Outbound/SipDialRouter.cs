using System.Net;
using OpenSma.Engine.Legs;
using OpenSma.Sip;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Inbound;

namespace OpenSma.Telephony.Outbound;

/// <summary>
/// Routes outbound legs, in this order: an <c>AWS</c> bridge endpoint goes to its voice
/// connector's origination routes; a SIP URI is dialed as is; a number with a SIP rule here goes
/// back into our own SIP endpoint (so one SMA can call another); a registered softphone gets its
/// bindings; any other number goes out a voice connector trunk (origination routes by priority and
/// weight, digest credentials for the carrier's challenge, caller ID and CpsLimit from its
/// termination settings). See docs/telephony.md for the AWS naming.
/// </summary>
public sealed class SipDialRouter : ISipDialRouter
{
    private readonly IResourceStore _store;
    private readonly SipEndpoint _endpoint;
    private readonly TelephonyOptions _options;
    private readonly string _ourHost;
    private readonly CallsPerSecondLimiter _cps;

    public SipDialRouter(IResourceStore store, SipEndpoint endpoint, TelephonyOptions options, TimeProvider time, IPAddress advertisedAddress)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(advertisedAddress);
        _store = store;
        _endpoint = endpoint;
        _options = options;
        _ourHost = advertisedAddress.ToString();
        _cps = new CallsPerSecondLimiter(time);
    }

    public async ValueTask<SipDialPlan> PlanAsync(OutboundLegRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.BridgeEndpointArn is { } arn)
        {
            var id = arn[(arn.LastIndexOf('/') + 1)..];
            var connector = (await _store.GetAsync<VoiceConnector>(id, cancellationToken).ConfigureAwait(false))?.Value;
            return connector is null
                ? SipDialPlan.Fail(404, $"voice connector {id} of {arn} does not exist")
                : await TrunkPlanAsync(connector, request.To, request.From, cancellationToken).ConfigureAwait(false);
        }

        if ((request.To.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || request.To.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
            && SipUri.TryParse(request.To, out var uri))
        {
            return new SipDialPlan([new SipDialTarget(uri, FromAddress(request.From), new SipNameAddress(uri), "sip-uri")]);
        }

        var number = PhoneNumberText.ToE164(request.To) ?? request.To;
        if (await _store.FindByKeyAsync<SipRule>(SipRule.TriggerKey("ToPhoneNumber", number), cancellationToken).ConfigureAwait(false) is not null
            && OwnAddress() is { } own)
        {
            var target = SipUri.Sip(number, own.Address.ToString(), own.Port);
            return new SipDialPlan([new SipDialTarget(target, FromAddress(request.From), new SipNameAddress(target), "own-number")]);
        }

        var bindings = _endpoint.Registrar?.Lookup(number) is { Count: > 0 } byNumber ? byNumber : _endpoint.Registrar?.Lookup(request.To);
        if (bindings is { Count: > 0 })
        {
            return new SipDialPlan([.. bindings.Select(b => new SipDialTarget(
                b.Contact,
                FromAddress(request.From),
                new SipNameAddress(b.Contact),
                "softphone",
                // Send where the REGISTER came from (the phone may be behind NAT).
                OutboundProxy: Hop(b.Source, b.Transport)))]);
        }

        var trunk = await DefaultTrunkAsync(cancellationToken).ConfigureAwait(false);
        return trunk is null
            ? SipDialPlan.Fail(404, $"{request.To} is not a number here, not a registered softphone, and no voice connector has origination routes")
            : await TrunkPlanAsync(trunk, number, request.From, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<SipDialPlan> TrunkPlanAsync(VoiceConnector connector, string user, string from, CancellationToken cancellationToken)
    {
        if (connector.Origination is not { Disabled: false, Routes.Count: > 0 } origination)
        {
            return SipDialPlan.Fail(503, $"voice connector {connector.Id} has no enabled origination routes");
        }

        if (connector.Termination?.CpsLimit is { } limit && !_cps.TryAcquire(connector.Id, limit))
        {
            return SipDialPlan.Fail(503, $"voice connector {connector.Id} is at its CpsLimit of {limit} calls per second");
        }

        var callerId = from;
        if (connector.Termination?.DefaultPhoneNumber is { Length: > 0 } fallback && !await OwnsAsync(from, cancellationToken).ConfigureAwait(false))
        {
            callerId = fallback;
        }

        var credentials = connector.Credentials is [var first, ..] ? new SipCredentials(first.Username, first.Password) : null;
        var targets = new List<SipDialTarget>();
        foreach (var route in OrderRoutes(origination.Routes))
        {
            var target = SipUri.Sip(user, route.Host, route.Port);
            if (route.Protocol.Equals("TCP", StringComparison.OrdinalIgnoreCase))
            {
                target.Parameters.Set("transport", "tcp");
            }

            targets.Add(new SipDialTarget(target, FromAddress(callerId), new SipNameAddress(target), "trunk", Credentials: credentials));
        }

        return new SipDialPlan(targets, VoiceConnectorId: connector.Id);
    }

    /// <summary>Lowest priority number first; within one priority, a weighted random order (RFC 2782 style).</summary>
    internal static IEnumerable<OriginationRoute> OrderRoutes(IReadOnlyList<OriginationRoute> routes)
    {
        foreach (var group in routes.GroupBy(r => r.Priority).OrderBy(g => g.Key))
        {
            var pool = group.ToList();
            while (pool.Count > 0)
            {
                var total = pool.Sum(r => Math.Max(r.Weight, 0) + 1);
                var pick = Random.Shared.Next(total);
                var index = 0;
                while (pick >= Math.Max(pool[index].Weight, 0) + 1)
                {
                    pick -= Math.Max(pool[index].Weight, 0) + 1;
                    index++;
                }

                yield return pool[index];
                pool.RemoveAt(index);
            }
        }
    }

    private async ValueTask<VoiceConnector?> DefaultTrunkAsync(CancellationToken cancellationToken)
    {
        var all = await _store.ListAllAsync<VoiceConnector>(cancellationToken).ConfigureAwait(false);
        if (_options.DefaultVoiceConnector is { } wanted)
        {
            return all.Select(s => s.Value).FirstOrDefault(v => v.Id == wanted || v.Name == wanted);
        }

        return all.Select(s => s.Value).FirstOrDefault(v => v.Origination is { Disabled: false, Routes.Count: > 0 });
    }

    private async ValueTask<bool> OwnsAsync(string number, CancellationToken cancellationToken) =>
        await _store.FindByKeyAsync<SipRule>(SipRule.TriggerKey("ToPhoneNumber", number), cancellationToken).ConfigureAwait(false) is not null
        || await _store.GetAsync<PhoneNumber>(number, cancellationToken).ConfigureAwait(false) is not null;

    private SipNameAddress FromAddress(string from) => new(SipUri.Sip(from, _ourHost));

    private IPEndPoint? OwnAddress()
    {
        var transports = _endpoint.Transports;
        var transport = transports.FirstOrDefault(t => t.Protocol == "UDP") ?? (transports.Count > 0 ? transports[0] : null);
        if (transport is null)
        {
            return null;
        }

        var local = transport.LocalEndPoint;
        var address = local.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : local.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : local.Address;
        return new IPEndPoint(address, local.Port);
    }

    private static SipUri Hop(IPEndPoint source, string transport)
    {
        var hop = SipUri.Sip(null, source.Address.ToString(), source.Port);
        if (!transport.Equals("UDP", StringComparison.OrdinalIgnoreCase))
        {
            hop.Parameters.Set("transport", transport.ToLowerInvariant());
        }

        return hop;
    }
}
