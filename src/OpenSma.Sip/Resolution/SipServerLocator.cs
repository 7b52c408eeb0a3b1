using System.Net;
using System.Net.Sockets;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Resolution;

/// <summary>
/// RFC 3263 §4: turns a next-hop URI into an ordered list of (transport, address, port) to try.
/// IP literals and explicit ports skip DNS service discovery; otherwise NAPTR picks transports,
/// SRV orders servers by priority and weight (RFC 2782), and A/AAAA give the addresses. The
/// caller moves to the next entry on a transport error, a timeout or a 503.
/// </summary>
internal sealed class SipServerLocator
{
    private readonly ISipDnsResolver _dns;
    private readonly Func<string, AddressFamily, ISipTransport?> _findTransport;
    private readonly Func<int, int> _random;

    /// <param name="random">Returns a number in [0, n) for SRV weight selection (tests make it fixed).</param>
    public SipServerLocator(ISipDnsResolver dns, Func<string, AddressFamily, ISipTransport?> findTransport, Func<int, int>? random = null)
    {
        _dns = dns;
        _findTransport = findTransport;
        _random = random ?? Random.Shared.Next;
    }

    public async Task<IReadOnlyList<SipRemote>> LocateAsync(SipUri uri, string? preferredProtocol = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var host = uri.Host.Trim('[', ']');
        var secure = uri.Scheme == "sips";
        var explicitProtocol = uri.Transport?.ToUpperInvariant();
        var fallbackProtocol = explicitProtocol ?? preferredProtocol ?? (secure ? "TLS" : "UDP");
        var targets = new List<SipRemote>();

        if (IPAddress.TryParse(host, out var literal))
        {
            // §4.1/4.2: a numeric host needs no lookup at all.
            Add(targets, fallbackProtocol, literal, uri.Port ?? DefaultPort(fallbackProtocol));
            return targets;
        }

        if (uri.Port is { } port)
        {
            // §4.2: an explicit port means A/AAAA only.
            await AddHostAsync(targets, fallbackProtocol, host, port, cancellationToken).ConfigureAwait(false);
            return targets;
        }

        var services = explicitProtocol is not null
            ? [(explicitProtocol, SrvName(explicitProtocol, host))]
            : await ServicesFromNaptrAsync(host, secure, cancellationToken).ConfigureAwait(false);
        if (services.Count == 0)
        {
            // §4.1: no NAPTR, so an SRV query for each transport we have.
            services = [.. Protocols(secure, preferredProtocol).Select(p => (p, SrvName(p, host)))];
        }

        foreach (var (protocol, srvName) in services)
        {
            var records = await _dns.ResolveSrvAsync(srvName, cancellationToken).ConfigureAwait(false);
            foreach (var record in OrderSrv(records))
            {
                await AddHostAsync(targets, protocol, record.Target, record.Port, cancellationToken).ConfigureAwait(false);
            }
        }

        if (targets.Count == 0)
        {
            // §4.2: no SRV either: the host's addresses on the default port.
            await AddHostAsync(targets, fallbackProtocol, host, DefaultPort(fallbackProtocol), cancellationToken).ConfigureAwait(false);
        }

        return targets;
    }

    private async Task<List<(string Protocol, string SrvName)>> ServicesFromNaptrAsync(string host, bool secure, CancellationToken cancellationToken)
    {
        var records = await _dns.ResolveNaptrAsync(host, cancellationToken).ConfigureAwait(false);
        var services = new List<(string, string)>();
        foreach (var record in records.OrderBy(r => r.Order).ThenBy(r => r.Preference))
        {
            var protocol = record.Service.ToUpperInvariant() switch
            {
                "SIP+D2U" when !secure => "UDP",
                "SIP+D2T" when !secure => "TCP",
                "SIPS+D2T" => "TLS",
                _ => null,
            };
            if (protocol is not null && record.Flags.Equals("s", StringComparison.OrdinalIgnoreCase) && HasTransport(protocol))
            {
                services.Add((protocol, record.Replacement));
            }
        }

        return services;
    }

    private IEnumerable<string> Protocols(bool secure, string? preferred)
    {
        string[] all = secure ? ["TLS"] : ["UDP", "TCP", "TLS"];
        return all.Where(HasTransport).OrderBy(p => p == preferred ? 0 : 1);
    }

    private bool HasTransport(string protocol) =>
        _findTransport(protocol, AddressFamily.InterNetwork) is not null || _findTransport(protocol, AddressFamily.InterNetworkV6) is not null;

    /// <summary>RFC 2782: lowest priority first; within one priority, a weighted random order. Target "." means no service.</summary>
    internal IEnumerable<SipSrvRecord> OrderSrv(IEnumerable<SipSrvRecord> records)
    {
        foreach (var group in records.Where(r => r.Target is not ("." or "")).GroupBy(r => r.Priority).OrderBy(g => g.Key))
        {
            // Zero weights first, as RFC 2782 asks, so they keep a small chance of being picked.
            var left = group.OrderBy(r => r.Weight == 0 ? 0 : 1).ToList();
            while (left.Count > 0)
            {
                var total = left.Sum(r => r.Weight);
                var pick = total == 0 ? 0 : _random(total + 1);
                var running = 0;
                var chosen = left[^1];
                foreach (var r in left)
                {
                    running += r.Weight;
                    if (running >= pick)
                    {
                        chosen = r;
                        break;
                    }
                }

                left.Remove(chosen);
                yield return chosen;
            }
        }
    }

    private async Task AddHostAsync(List<SipRemote> targets, string protocol, string host, int port, CancellationToken cancellationToken)
    {
        foreach (var address in await _dns.ResolveAddressesAsync(host.TrimEnd('.'), cancellationToken).ConfigureAwait(false))
        {
            Add(targets, protocol, address, port);
        }
    }

    private void Add(List<SipRemote> targets, string protocol, IPAddress address, int port)
    {
        if (_findTransport(protocol, address.AddressFamily) is { } transport)
        {
            var target = new SipRemote(transport, new IPEndPoint(address, port));
            if (!targets.Contains(target))
            {
                targets.Add(target);
            }
        }
    }

    private static int DefaultPort(string protocol) => protocol == "TLS" ? 5061 : 5060;

    private static string SrvName(string protocol, string host) => protocol switch
    {
        "TLS" => "_sips._tcp." + host,
        "TCP" => "_sip._tcp." + host,
        _ => "_sip._udp." + host,
    };
}
