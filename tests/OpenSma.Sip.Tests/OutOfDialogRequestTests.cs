using System.Net;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Resolution;
using OpenSma.Sip.Tests.Dialogs;
using OpenSma.Sip.Tests.Resolution;

namespace OpenSma.Sip.Tests;

/// <summary>
/// <see cref="SipEndpoint.SendRequestAsync"/>: OPTIONS pings and client REGISTER between two real
/// endpoints on loopback, and timeout, failover and argument checks on an in-memory transport with a fake clock.
/// </summary>
public sealed class OutOfDialogRequestTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<SipEndpoint> StartAsync(IReadOnlyDictionary<string, string>? users = null)
    {
        var loopback = new IPEndPoint(IPAddress.Loopback, 0);
        var endpoint = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [loopback], TcpEndPoints = [loopback], Users = users });
        await endpoint.StartAsync();
        return endpoint;
    }

    private static int PortOf(SipEndpoint endpoint, string protocol) => endpoint.Transports.Single(t => t.Protocol == protocol).LocalEndPoint.Port;

    private static SipRequest Request(string method, string requestUri, string user = "alice")
    {
        var request = new SipRequest(method, SipUri.Parse(requestUri));
        request.Headers.Add("From", $"<sip:{user}@127.0.0.1>").Add("To", $"<sip:{user}@127.0.0.1>");
        return request;
    }

    [Theory]
    [InlineData("UDP")]
    [InlineData("TCP")]
    public async Task Options_ToAnotherEndpoint_Gets200WithItsCapabilities(string protocol)
    {
        await using var server = await StartAsync();
        await using var client = await StartAsync();
        var uri = $"sip:127.0.0.1:{PortOf(server, protocol)}" + (protocol == "TCP" ? ";transport=tcp" : string.Empty);

        var response = await client.SendRequestAsync(Request("OPTIONS", uri)).WaitAsync(Patience);

        Assert.Equal(200, response.StatusCode);
        Assert.Contains("INVITE", response.Headers.Get("Allow"), StringComparison.Ordinal);
        Assert.Equal(protocol, response.TopVia!.Transport);
        Assert.Equal("OPTIONS", response.CSeq!.Value.Method);
    }

    [Fact]
    public async Task Register_WithCredentials_AnswersTheChallengeAndTheRegistrarBindsTheContact()
    {
        await using var registrar = await StartAsync(new Dictionary<string, string> { ["alice"] = "pw" });
        await using var phone = await StartAsync();
        var register = Request("REGISTER", $"sip:127.0.0.1:{PortOf(registrar, "UDP")}");
        register.Headers.Add("Contact", $"<sip:alice@127.0.0.1:{PortOf(phone, "UDP")}>").Add("Expires", "600");

        var response = await phone.SendRequestAsync(register, new SipCredentials("alice", "pw")).WaitAsync(Patience);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, response.CSeq!.Value.Number);
        var binding = Assert.Single(registrar.Registrar!.Lookup("alice"));
        Assert.Equal($"sip:alice@127.0.0.1:{PortOf(phone, "UDP")}", binding.Contact.ToString());
        Assert.Null(register.Headers.Get("Via"));
    }

    [Fact]
    public async Task Register_WrongPasswordOrNoCredentials_EndsWithThe401AndNoBinding()
    {
        await using var registrar = await StartAsync(new Dictionary<string, string> { ["alice"] = "pw" });
        await using var phone = await StartAsync();
        var register = Request("REGISTER", $"sip:127.0.0.1:{PortOf(registrar, "TCP")};transport=tcp");
        register.Headers.Add("Contact", $"<sip:alice@127.0.0.1:{PortOf(phone, "TCP")};transport=tcp>");

        var wrong = await phone.SendRequestAsync(register, new SipCredentials("alice", "nope")).WaitAsync(Patience);
        var none = await phone.SendRequestAsync(register).WaitAsync(Patience);

        Assert.Equal(401, wrong.StatusCode);
        Assert.Equal(2, wrong.CSeq!.Value.Number);
        Assert.Equal(401, none.StatusCode);
        Assert.Equal(1, none.CSeq!.Value.Number);
        Assert.Empty(registrar.Registrar!.Lookup("alice"));
    }

    [Fact]
    public async Task NoAnswer_EndsWithALocal408AtTimerF()
    {
        var h = new EndpointHarness();
        var pending = h.Endpoint.SendRequestAsync(Request("OPTIONS", "sip:192.0.2.20:5070"));
        var sent = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("OPTIONS", sent.Method);
        Assert.False(pending.IsCompleted);

        h.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.False(pending.IsCompleted);
        h.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(408, (await pending.WaitAsync(Patience)).StatusCode);
        Assert.True(h.Sent().Count > 0, "UDP retransmissions were sent while waiting");
    }

    [Fact]
    public async Task ServerAnswering503_TheNextSrvTargetIsTried()
    {
        var dns = new FakeDnsResolver();
        dns.Srv["_sip._udp.example.com"] = [new SipSrvRecord(10, 0, 5060, "192.0.2.30"), new SipSrvRecord(20, 0, 5060, "192.0.2.31")];
        var h = new EndpointHarness(new SipEndpointOptions { DnsResolver = dns });

        var pending = h.Endpoint.SendRequestAsync(Request("MESSAGE", "sip:bob@example.com"));
        var (first, firstTo) = Assert.Single(h.Transport.TakeSent());
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.30"), 5060), firstTo);
        h.Transport.Receive(SipResponses.Create((SipRequest)first, 503, toTag: "x"), firstTo);

        // The retry is sent from the caller's continuation, off this thread: wait (bounded) for it.
        var (second, secondTo) = Assert.Single(await NextSentAsync(h));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.31"), 5060), secondTo);
        Assert.NotEqual(first.TopVia!.Branch, second.TopVia!.Branch);
        h.Transport.Receive(SipResponses.Create((SipRequest)second, 200, toTag: "y"), secondTo);

        var response = await pending.WaitAsync(Patience);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("MESSAGE", response.CSeq!.Value.Method);
    }

    private static async Task<List<(SipMessage Message, IPEndPoint Remote)>> NextSentAsync(EndpointHarness h)
    {
        using var cts = new CancellationTokenSource(Patience);
        while (true)
        {
            var sent = h.Transport.TakeSent();
            if (sent.Count > 0)
            {
                return sent;
            }

            await Task.Delay(10, cts.Token);
        }
    }

    [Fact]
    public async Task Cancelled_StopsTheWait_AndTheTransactionStillEndsAtItsTimer()
    {
        var h = new EndpointHarness();
        using var cts = new CancellationTokenSource();
        var pending = h.Endpoint.SendRequestAsync(Request("NOTIFY", "sip:192.0.2.20:5070"), cancellationToken: cts.Token);
        Assert.Single(h.Sent());
        Assert.Equal(1, h.Endpoint.Statistics.ClientTransactions);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Patience));

        h.Time.Advance(TimeSpan.FromSeconds(33));
        Assert.Equal(0, h.Endpoint.Statistics.ClientTransactions);
    }

    [Fact]
    public async Task MissingHeaders_AreFilledIn()
    {
        var h = new EndpointHarness();
        var pending = h.Endpoint.SendRequestAsync(Request("OPTIONS", "sip:192.0.2.20:5070"));
        var sent = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.NotNull(sent.From!.Tag);
        Assert.False(string.IsNullOrEmpty(sent.CallId));
        Assert.Equal(new SipCSeq(1, "OPTIONS"), sent.CSeq);
        Assert.Equal(70, sent.MaxForwards);
        h.Transport.Receive(SipResponses.Create(sent, 200, toTag: "z"), EndpointHarness.Peer);
        Assert.Equal(200, (await pending.WaitAsync(Patience)).StatusCode);
    }

    [Fact]
    public async Task Misuse_IsRefusedWithAClearError()
    {
        var h = new EndpointHarness();
        await Assert.ThrowsAsync<ArgumentException>(() => h.Endpoint.SendRequestAsync(Request("INVITE", "sip:192.0.2.20")));
        var withVia = Request("OPTIONS", "sip:192.0.2.20");
        withVia.Headers.Add("Via", "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx");
        await Assert.ThrowsAsync<ArgumentException>(() => h.Endpoint.SendRequestAsync(withVia));
        var noTo = new SipRequest("OPTIONS", SipUri.Parse("sip:192.0.2.20"));
        noTo.Headers.Add("From", "<sip:a@192.0.2.1>");
        await Assert.ThrowsAsync<ArgumentException>(() => h.Endpoint.SendRequestAsync(noTo));
        await using var stopped = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [], TcpEndPoints = [] });
        await Assert.ThrowsAsync<InvalidOperationException>(() => stopped.SendRequestAsync(Request("OPTIONS", "sip:192.0.2.20")));
        Assert.Empty(h.Sent());
    }
}
