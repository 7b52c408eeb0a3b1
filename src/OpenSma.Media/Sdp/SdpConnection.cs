using System.Net;

namespace OpenSma.Media.Sdp;

/// <summary>A c= line: "IN IP4 192.0.2.1" (a multicast TTL suffix is dropped; we do unicast only).</summary>
public sealed record SdpConnection(string AddressType, string Address)
{
    public static SdpConnection For(IPAddress address) =>
        new(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4", address.ToString());

    /// <summary>The old hold convention of RFC 2543: c=IN IP4 0.0.0.0.</summary>
    public bool IsHoldAddress => Address is "0.0.0.0" or "::";

    public IPAddress? TryGetAddress() => IPAddress.TryParse(Address, out var address) ? address : null;

    public override string ToString() => $"IN {AddressType} {Address}";
}
