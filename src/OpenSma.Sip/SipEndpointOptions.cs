using System.Net;
using OpenSma.Sip.Parsing;
using OpenSma.Sip.Registrar;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip;

/// <summary>How the SIP endpoint listens and behaves. Defaults: UDP and TCP on 0.0.0.0:5060, registrar on, no auth.</summary>
public sealed record SipEndpointOptions
{
    public const int DefaultPort = 5060;

    public IReadOnlyList<IPEndPoint> UdpEndPoints { get; init; } = [new(IPAddress.Any, DefaultPort)];

    public IReadOnlyList<IPEndPoint> TcpEndPoints { get; init; } = [new(IPAddress.Any, DefaultPort)];

    /// <summary>TLS listeners (conventionally port 5061); used only when <see cref="Tls"/> is set.</summary>
    public IReadOnlyList<IPEndPoint> TlsEndPoints { get; init; } = [];

    /// <summary>Turns TLS on: the certificate and server validation for SIP over TLS.</summary>
    public Transports.SipTlsOptions? Tls { get; init; }

    /// <summary>Host or address written into Via and Contact; needed when listening on 0.0.0.0 behind a real address.</summary>
    public string? AdvertisedHost { get; init; }

    /// <summary>Sent in User-Agent and Server headers.</summary>
    public string UserAgent { get; init; } = "OpenSMA";

    public SipTimerSettings Timers { get; init; } = SipTimerSettings.Default;

    /// <summary>Bounds on one message: header section (513 past it), body (413), header count and line length (400).</summary>
    public SipParserLimits Limits { get; init; } = SipParserLimits.Default;

    /// <summary>TCP and TLS connection bounds: idle timeout, inbound caps (total and per address), send queue.</summary>
    public Transports.SipConnectionOptions Connections { get; init; } = Transports.SipConnectionOptions.Default;

    public bool RegistrarEnabled { get; init; } = true;

    public SipRegistrarOptions Registrar { get; init; } = new();

    /// <summary>Digest realm; with <see cref="Users"/> set, REGISTER is challenged.</summary>
    public string Realm { get; init; } = "opensma";

    /// <summary>Username to password for softphones; null disables authentication.</summary>
    public IReadOnlyDictionary<string, string>? Users { get; init; }

    /// <summary>
    /// Answer 400 to digest credentials whose uri does not name the Request-URI (RFC 3261 §22.4,
    /// RFC 7616 §3.4.6); on by default.
    /// </summary>
    public bool DigestRequireMatchingUri { get; init; } = true;

    /// <summary>Challenges offered, most preferred first (RFC 8760 §2.4: SHA-256 before MD5).</summary>
    public IReadOnlyList<string> DigestAlgorithms { get; init; } = ["SHA-256", "MD5"];

    /// <summary>
    /// Name servers for RFC 3263 NAPTR/SRV lookups of outbound targets given by host name; null
    /// reads /etc/resolv.conf. Addresses (A/AAAA) always come from the system resolver.
    /// </summary>
    public IReadOnlyList<IPEndPoint>? DnsServers { get; init; }

    /// <summary>Replaces the built-in DNS client (tests, or a host with its own resolver).</summary>
    public Resolution.ISipDnsResolver? DnsResolver { get; init; }

    /// <summary>
    /// Session interval (RFC 4028, at least 90 s) our 2xx asks for when a caller supports session
    /// timers but requested none, so dead calls end by themselves; null leaves such calls without.
    /// </summary>
    public int? SessionExpiresSeconds { get; init; }

    /// <summary>Also challenge INVITEs (softphones calling in); trunks usually are not challenged.</summary>
    public bool AuthenticateInvites { get; init; }
}
