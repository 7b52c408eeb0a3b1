using System.Net;

namespace OpenSma.Sip.Resolution;

/// <summary>
/// The DNS lookups RFC 3263 needs. The stack uses its own UDP resolver (System.Net has no SRV or
/// NAPTR lookup); tests and hosts may supply another. An empty list means "no such records".
/// </summary>
public interface ISipDnsResolver
{
    Task<IReadOnlyList<SipNaptrRecord>> ResolveNaptrAsync(string domain, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SipSrvRecord>> ResolveSrvAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>A and AAAA records of a host (IPv4 first).</summary>
    Task<IReadOnlyList<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken = default);
}

/// <summary>An SRV record (RFC 2782).</summary>
public sealed record SipSrvRecord(int Priority, int Weight, int Port, string Target);

/// <summary>A NAPTR record (RFC 3403) as RFC 3263 uses it: services such as SIP+D2U, flag "s" pointing at an SRV name.</summary>
public sealed record SipNaptrRecord(int Order, int Preference, string Flags, string Service, string Regexp, string Replacement);
