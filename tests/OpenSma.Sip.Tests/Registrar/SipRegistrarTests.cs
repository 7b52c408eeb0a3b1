using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Registrar;
using OpenSma.Sip.Tests.Dialogs;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Tests.Registrar;

public sealed class SipRegistrarTests
{
    private static readonly SipRemote Source = new(new InMemorySipTransport(), new IPEndPoint(IPAddress.Loopback, 5070));

    private static SipRequest Register(string user, string contact, int cseq = 1, string? expires = null, string callId = "reg-1")
    {
        var request = new SipRequest("REGISTER", SipUri.Parse("sip:opensma"));
        request.Headers.Add("Via", "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK" + cseq).Add("From", $"<sip:{user}@opensma>;tag=1")
            .Add("To", $"<sip:{user}@opensma>").Add("Call-ID", callId).Add("CSeq", $"{cseq} REGISTER").Add("Contact", contact);
        if (expires is not null)
        {
            request.Headers.Add("Expires", expires);
        }

        return request;
    }

    [Fact]
    public void Register_Contact_IsFoundUntilItExpires()
    {
        var time = new FakeTimeProvider();
        var registrar = new SipRegistrar(time);
        var ok = registrar.Register(Register("+15551230000", "<sip:phone@127.0.0.1:5070>", expires: "120"), Source, "t");
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal("120", ok.Contacts.Single().Parameters.Get("expires"));

        Assert.Equal("sip:phone@127.0.0.1:5070", Assert.Single(registrar.Lookup("15551230000")).Contact.ToString());
        time.Advance(TimeSpan.FromSeconds(119));
        Assert.Single(registrar.Lookup("+15551230000"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(registrar.Lookup("+15551230000"));
    }

    [Fact]
    public void Register_ExpiresZero_RemovesBinding()
    {
        var registrar = new SipRegistrar(new FakeTimeProvider());
        registrar.Register(Register("alice", "<sip:a@127.0.0.1>"), Source, "t");
        registrar.Register(Register("alice", "<sip:a@127.0.0.1>;expires=0", cseq: 2), Source, "t");
        Assert.Empty(registrar.Lookup("alice"));
    }

    [Fact]
    public void Register_Wildcard_RemovesAll()
    {
        var registrar = new SipRegistrar(new FakeTimeProvider());
        registrar.Register(Register("alice", "<sip:a@127.0.0.1>, <sip:b@127.0.0.2>"), Source, "t");
        Assert.Equal(2, registrar.Lookup("alice").Count);
        Assert.Equal(200, registrar.Register(Register("alice", "*", cseq: 2, expires: "0"), Source, "t").StatusCode);
        Assert.Empty(registrar.Lookup("alice"));
    }

    [Fact]
    public void Register_TooBrief_Answers423WithMinExpires()
    {
        var registrar = new SipRegistrar(new FakeTimeProvider());
        var response = registrar.Register(Register("alice", "<sip:a@127.0.0.1>", expires: "10"), Source, "t");
        Assert.Equal(423, response.StatusCode);
        Assert.Equal("60", response.Headers.Get("Min-Expires"));
    }

    [Fact]
    public void Register_SameCallIdOlderCSeq_Answers500()
    {
        var registrar = new SipRegistrar(new FakeTimeProvider());
        registrar.Register(Register("alice", "<sip:a@127.0.0.1>", cseq: 5), Source, "t");
        Assert.Equal(500, registrar.Register(Register("alice", "<sip:a@127.0.0.1>", cseq: 4), Source, "t").StatusCode);
    }

    [Fact]
    public void Endpoint_RegisterWithUsers_ChallengesThenBinds()
    {
        var h = new EndpointHarness(new SipEndpointOptions { Users = new Dictionary<string, string> { ["alice"] = "pw" } });
        var register = Register("alice", "<sip:alice@192.0.2.20:5070>", expires: "300");
        h.Receive(register);
        var challenge = h.SentResponse(401);
        Assert.Equal(2, challenge.Headers.GetFields("WWW-Authenticate").Count());
        Assert.Empty(h.Endpoint.Registrar!.Lookup("alice"));

        var answered = SipDigestClient.Authorize(register, challenge, new SipCredentials("alice", "pw"))!;
        answered.Headers.AddFirst("Via", "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKsecond");
        h.Receive(answered);
        Assert.Equal(200, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        Assert.Single(h.Endpoint.Registrar.Lookup("alice"));
    }
}
