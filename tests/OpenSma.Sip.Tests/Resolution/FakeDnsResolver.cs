using System.Net;
using OpenSma.Sip.Resolution;

namespace OpenSma.Sip.Tests.Resolution;

/// <summary>A DNS zone in memory, recording every question asked.</summary>
internal sealed class FakeDnsResolver : ISipDnsResolver
{
    public Dictionary<string, List<SipNaptrRecord>> Naptr { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, List<SipSrvRecord>> Srv { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, List<IPAddress>> Addresses { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<string> Questions { get; } = [];

    public Task<IReadOnlyList<SipNaptrRecord>> ResolveNaptrAsync(string domain, CancellationToken cancellationToken = default)
    {
        Questions.Add("NAPTR " + domain);
        return Task.FromResult<IReadOnlyList<SipNaptrRecord>>(Naptr.TryGetValue(domain, out var r) ? r : []);
    }

    public Task<IReadOnlyList<SipSrvRecord>> ResolveSrvAsync(string name, CancellationToken cancellationToken = default)
    {
        Questions.Add("SRV " + name);
        return Task.FromResult<IReadOnlyList<SipSrvRecord>>(Srv.TryGetValue(name, out var r) ? r : []);
    }

    public Task<IReadOnlyList<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken = default)
    {
        Questions.Add("A " + host);
        if (IPAddress.TryParse(host, out var literal))
        {
            return Task.FromResult<IReadOnlyList<IPAddress>>([literal]);
        }

        return Task.FromResult<IReadOnlyList<IPAddress>>(Addresses.TryGetValue(host, out var r) ? r : []);
    }
}
