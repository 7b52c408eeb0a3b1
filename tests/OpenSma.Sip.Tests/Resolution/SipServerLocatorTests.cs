using System.Net;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Resolution;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Tests.Resolution;

public sealed class SipServerLocatorTests
{
    private readonly InMemorySipTransport _udp = new(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5060));
    private readonly InMemorySipTransport _tcp = new(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5060), "TCP");
    private readonly FakeDnsResolver _dns = new();

    private SipServerLocator Locator(Func<int, int>? random = null) =>
        new(_dns, (protocol, _) => protocol switch { "UDP" => _udp, "TCP" => _tcp, _ => null }, random ?? (_ => 0));

    private static string Show(IEnumerable<SipRemote> targets) => string.Join(" ", targets.Select(t => t.ToString()));

    [Fact]
    public async Task Locate_IpLiteral_NeedsNoDns()
    {
        var targets = await Locator().LocateAsync(SipUri.Parse("sip:+15551230000@192.0.2.9;transport=tcp"));
        Assert.Equal("TCP:192.0.2.9:5060", Show(targets));
        Assert.Empty(_dns.Questions);
    }

    [Fact]
    public async Task Locate_NaptrThenSrvThenAddresses_InNaptrOrderAndSrvPriority()
    {
        _dns.Naptr["trunk.example.com"] =
        [
            new(20, 10, "s", "SIP+D2U", "", "_sip._udp.trunk.example.com"),
            new(10, 10, "s", "SIP+D2T", "", "_sip._tcp.trunk.example.com"),
            new(5, 10, "s", "SIPS+D2T", "", "_sips._tcp.trunk.example.com"),
        ];
        _dns.Srv["_sip._tcp.trunk.example.com"] = [new(20, 0, 5070, "b.example.com"), new(10, 0, 5080, "a.example.com")];
        _dns.Srv["_sip._udp.trunk.example.com"] = [new(10, 0, 5060, "a.example.com")];
        _dns.Addresses["a.example.com"] = [IPAddress.Parse("192.0.2.10"), IPAddress.Parse("192.0.2.11")];
        _dns.Addresses["b.example.com"] = [IPAddress.Parse("192.0.2.20")];

        var targets = await Locator().LocateAsync(SipUri.Parse("sip:+15551230000@trunk.example.com"));

        // SIPS+D2T is skipped (no TLS transport); TCP (order 10) before UDP (order 20).
        Assert.Equal("TCP:192.0.2.10:5080 TCP:192.0.2.11:5080 TCP:192.0.2.20:5070 UDP:192.0.2.10:5060 UDP:192.0.2.11:5060", Show(targets));
        Assert.DoesNotContain("SRV _sips._tcp.trunk.example.com", _dns.Questions);
    }

    [Fact]
    public async Task Locate_NoNaptr_QueriesSrvPerTransport()
    {
        _dns.Srv["_sip._tcp.example.net"] = [new(0, 0, 5062, "sbc.example.net")];
        _dns.Addresses["sbc.example.net"] = [IPAddress.Parse("192.0.2.40")];
        var targets = await Locator().LocateAsync(SipUri.Parse("sip:user@example.net"));
        Assert.Equal("TCP:192.0.2.40:5062", Show(targets));
        Assert.Equal(["NAPTR example.net", "SRV _sip._udp.example.net", "SRV _sip._tcp.example.net", "A sbc.example.net"], _dns.Questions);
    }

    [Fact]
    public async Task Locate_NoNaptrNoSrv_UsesAddressesOnDefaultPort()
    {
        _dns.Addresses["pbx.example.org"] = [IPAddress.Parse("192.0.2.50")];
        var targets = await Locator().LocateAsync(SipUri.Parse("sip:user@pbx.example.org"));
        Assert.Equal("UDP:192.0.2.50:5060", Show(targets));
    }

    [Fact]
    public async Task Locate_ExplicitPort_SkipsNaptrAndSrv()
    {
        _dns.Addresses["pbx.example.org"] = [IPAddress.Parse("192.0.2.50")];
        var targets = await Locator().LocateAsync(SipUri.Parse("sip:user@pbx.example.org:5099;transport=tcp"));
        Assert.Equal("TCP:192.0.2.50:5099", Show(targets));
        Assert.Equal(["A pbx.example.org"], _dns.Questions);
    }

    [Fact]
    public async Task Locate_TransportParameter_QueriesThatSrvOnly()
    {
        _dns.Srv["_sip._tcp.example.net"] = [new(0, 0, 5062, "sbc.example.net")];
        _dns.Addresses["sbc.example.net"] = [IPAddress.Parse("192.0.2.40")];
        var targets = await Locator().LocateAsync(SipUri.Parse("sip:user@example.net;transport=tcp"));
        Assert.Equal("TCP:192.0.2.40:5062", Show(targets));
        Assert.Equal(["SRV _sip._tcp.example.net", "A sbc.example.net"], _dns.Questions);
    }

    [Theory]
    [InlineData(0, "a b c")]    // running sums 10, 40, 100 over a total of 100: 0 picks a
    [InlineData(11, "b a c")]   // 11 > 10, <= 40: b; then over a and c
    [InlineData(100, "c a b")]
    public void OrderSrv_SamePriority_WeightedBySumOfWeights(int firstPick, string expected)
    {
        var picks = new Queue<int>([0, firstPick, 0, 0]);
        var locator = Locator(_ => picks.Dequeue());
        SipSrvRecord[] records = [new(1, 10, 1, "a"), new(1, 30, 1, "b"), new(1, 60, 1, "c"), new(0, 5, 1, "first"), new(2, 5, 1, ".")];
        var ordered = locator.OrderSrv(records).Select(r => r.Target).ToList();
        Assert.Equal("first", ordered[0]);
        Assert.Equal(expected, string.Join(" ", ordered.Skip(1)));
    }

    [Fact]
    public void OrderSrv_UniformPicks_SpreadsByWeight()
    {
        // With a real random source, a weight-90 record comes first about nine times in ten.
        var random = new Random(1234);
        var locator = Locator(random.Next);
        SipSrvRecord[] records = [new(1, 10, 1, "light"), new(1, 90, 1, "heavy")];
        var heavyFirst = Enumerable.Range(0, 2000).Count(_ => locator.OrderSrv(records).First().Target == "heavy");
        Assert.InRange(heavyFirst, 1650, 1950);
    }
}
