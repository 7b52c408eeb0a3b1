using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Tests.Resolution;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>RFC 3263 §4.3 on outgoing INVITEs to a host name: move to the next target on 503, timeout or transport error.</summary>
public sealed class UacFailoverTests
{
    private static (EndpointHarness H, FakeDnsResolver Dns) TrunkWithTwoServers()
    {
        var dns = new FakeDnsResolver();
        dns.Srv["_sip._udp.trunk.example.com"] = [new(10, 0, 5060, "primary.example.com"), new(20, 0, 5060, "backup.example.com")];
        dns.Addresses["primary.example.com"] = [IPAddress.Parse("192.0.2.30")];
        dns.Addresses["backup.example.com"] = [IPAddress.Parse("192.0.2.31")];
        return (new EndpointHarness(new SipEndpointOptions { DnsResolver = dns }), dns);
    }

    private static SipInviteOptions ToTrunk() => new() { Target = SipUri.Parse("sip:+15559870000@trunk.example.com") };

    private static (SipRequest Invite, IPEndPoint To) SentInvite(EndpointHarness h)
    {
        var (message, to) = Assert.Single(h.Transport.TakeSent());
        return (Assert.IsType<SipRequest>(message), to);
    }

    [Fact]
    public async Task Invite_First503_RetriesNextSrvTargetWithNewBranch()
    {
        var (h, _) = TrunkWithTwoServers();
        var call = h.Endpoint.InviteAsync(ToTrunk());
        var (first, firstTo) = SentInvite(h);
        Assert.Equal(IPAddress.Parse("192.0.2.30"), firstTo.Address);

        h.Transport.Receive(SipResponses.Create(first, 503, toTag: "p1"), firstTo);
        var sent = h.Transport.TakeSent();
        Assert.Equal("ACK", Assert.IsType<SipRequest>(sent[0].Message).Method);
        var second = Assert.IsType<SipRequest>(sent[1].Message);
        Assert.Equal(IPAddress.Parse("192.0.2.31"), sent[1].Remote.Address);
        Assert.Equal("INVITE", second.Method);
        Assert.Equal(first.CallId, second.CallId);
        Assert.NotEqual(first.TopVia!.Branch, second.TopVia!.Branch);
        Assert.Single(second.Vias);

        var ok = SipResponses.Create(second, 200, toTag: "b1");
        ok.Headers.Add("Contact", "<sip:b@192.0.2.31>");
        h.Transport.Receive(ok, sent[1].Remote);
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(result.IsAnswered);
    }

    [Fact]
    public async Task Invite_FirstTimesOut_TimerBMovesToNextTarget()
    {
        var (h, _) = TrunkWithTwoServers();
        var call = h.Endpoint.InviteAsync(ToTrunk());
        SentInvite(h);
        h.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.All(h.Transport.TakeSent(), s => Assert.Equal(IPAddress.Parse("192.0.2.30"), s.Remote.Address));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var (second, to) = SentInvite(h);
        Assert.Equal(IPAddress.Parse("192.0.2.31"), to.Address);

        h.Transport.Receive(SipResponses.Create(second, 486, toTag: "b1"), to);
        Assert.Equal(486, (await call.WaitAsync(TimeSpan.FromSeconds(10))).FinalResponse.StatusCode);
    }

    [Fact]
    public async Task Invite_503AfterProvisional_IsFinalNoFailover()
    {
        var (h, _) = TrunkWithTwoServers();
        var call = h.Endpoint.InviteAsync(ToTrunk());
        var (first, to) = SentInvite(h);
        h.Transport.Receive(SipResponses.Create(first, 180, toTag: "p1"), to);
        h.Transport.Receive(SipResponses.Create(first, 503, toTag: "p1"), to);
        Assert.Equal(503, (await call.WaitAsync(TimeSpan.FromSeconds(10))).FinalResponse.StatusCode);
        Assert.DoesNotContain(h.Transport.TakeSent(), s => s.Message is SipRequest { Method: "INVITE" });
    }

    [Fact]
    public async Task Invite_LastTarget503_ReturnsIt()
    {
        var (h, _) = TrunkWithTwoServers();
        var call = h.Endpoint.InviteAsync(ToTrunk());
        var (first, to1) = SentInvite(h);
        h.Transport.Receive(SipResponses.Create(first, 503, toTag: "p1"), to1);
        var second = h.Transport.TakeSent().Select(s => s).Last();
        h.Transport.Receive(SipResponses.Create((SipRequest)second.Message, 503, toTag: "p2"), second.Remote);
        Assert.Equal(503, (await call.WaitAsync(TimeSpan.FromSeconds(10))).FinalResponse.StatusCode);
    }

    [Fact]
    public async Task Invite_UnresolvableHost_Local503()
    {
        var h = new EndpointHarness(new SipEndpointOptions { DnsResolver = new FakeDnsResolver() });
        var result = await h.Endpoint.InviteAsync(new SipInviteOptions { Target = SipUri.Parse("sip:x@nowhere.example") }).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(503, result.FinalResponse.StatusCode);
        Assert.Empty(h.Transport.TakeSent());
    }

    [Fact]
    public async Task Invite_TcpConnectionRefused_FailsAt503WithoutWaitingForTimerB()
    {
        // Real TCP on loopback but a fake clock: timer B cannot fire, so the 503 comes from the refused connection.
        var time = new FakeTimeProvider();
        var closedPort = ClosedPort();
        var local = new IPEndPoint(IPAddress.Loopback, 0);
        await using var endpoint = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [], TcpEndPoints = [local] }, time);
        await endpoint.StartAsync();
        var result = await endpoint.InviteAsync(new SipInviteOptions { Target = SipUri.Parse($"sip:x@127.0.0.1:{closedPort};transport=tcp") })
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(503, result.FinalResponse.StatusCode);
        Assert.Null(result.Dialog);
    }

    [Fact]
    public async Task Invite_TcpRefusedOnFirstTarget_FailsOverToSecond()
    {
        var time = new FakeTimeProvider();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var open = ((IPEndPoint)listener.LocalEndpoint).Port;
        var dns = new FakeDnsResolver();
        dns.Srv["_sip._tcp.trunk.example.com"] = [new(10, 0, ClosedPort(), "127.0.0.1"), new(20, 0, open, "127.0.0.1")];
        await using var endpoint = new SipEndpoint(
            new SipEndpointOptions { UdpEndPoints = [], TcpEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], DnsResolver = dns }, time);
        await endpoint.StartAsync();
        var call = endpoint.InviteAsync(new SipInviteOptions { Target = SipUri.Parse("sip:x@trunk.example.com;transport=tcp") });

        // The second target accepts the connection and receives the INVITE.
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var buffer = new byte[4096];
        var read = await accepted.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("INVITE sip:x@trunk.example.com;transport=tcp SIP/2.0", System.Text.Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        Assert.False(call.IsCompleted);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Invite_UdpPortUnreachable_FailsAt503WithoutWaitingForTimerB(string address)
    {
        // Real UDP on loopback but a fake clock: neither timer A nor B can fire, so the 503 comes
        // from the ICMP port unreachable the kernel answers the INVITE with.
        var ip = IPAddress.Parse(address);
        var time = new FakeTimeProvider();
        var closedPort = ClosedUdpPort(ip);
        await using var endpoint = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [new IPEndPoint(ip, 0)], TcpEndPoints = [] }, time);
        await endpoint.StartAsync();
        var host = ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address;
        var result = await endpoint.InviteAsync(new SipInviteOptions { Target = SipUri.Parse($"sip:x@{host}:{closedPort}") })
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(503, result.FinalResponse.StatusCode);
        Assert.Contains("Transport Error", result.FinalResponse.ReasonPhrase, StringComparison.Ordinal);
        Assert.Null(result.Dialog);
        Assert.Equal(0, endpoint.Statistics.ClientTransactions);
    }

    [Fact]
    public async Task Invite_UdpUnreachableFirstTarget_FailsOverToSecond()
    {
        var time = new FakeTimeProvider();
        using var backup = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var open = ((IPEndPoint)backup.Client.LocalEndPoint!).Port;
        var dns = new FakeDnsResolver();
        dns.Srv["_sip._udp.trunk.example.com"] = [new(10, 0, ClosedUdpPort(IPAddress.Loopback), "127.0.0.1"), new(20, 0, open, "127.0.0.1")];
        await using var endpoint = new SipEndpoint(
            new SipEndpointOptions { UdpEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], TcpEndPoints = [], DnsResolver = dns }, time);
        await endpoint.StartAsync();
        var call = endpoint.InviteAsync(new SipInviteOptions { Target = SipUri.Parse("sip:x@trunk.example.com") });

        var received = await backup.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("INVITE sip:x@trunk.example.com SIP/2.0", System.Text.Encoding.ASCII.GetString(received.Buffer), StringComparison.Ordinal);
        Assert.False(call.IsCompleted);
    }

    private static int ClosedUdpPort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static int ClosedPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
