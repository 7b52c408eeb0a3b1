using Microsoft.Extensions.Time.Testing;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Tests.Dialogs;

namespace OpenSma.Sip.Tests.Auth;

/// <summary>RFC 3261 §22.4 / RFC 7616 §3.4.6: the digest uri must name the Request-URI, else 400.</summary>
public sealed class DigestUriTests
{
    private const string Realm = "trunk-a.example.com";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static string? Password(string user) => user == "acct" ? "s3cret" : null;

    private static SipRequest Invite(string requestUri = "sip:+15551230000@192.0.2.1")
    {
        var request = new SipRequest("INVITE", SipUri.Parse(requestUri));
        request.Headers.Add("Via", "SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKa").Add("From", "<sip:+15559870000@trunk>;tag=1")
            .Add("To", "<sip:+15551230000@192.0.2.1>").Add("Call-ID", "c1").Add("CSeq", "1 INVITE");
        return request;
    }

    [Fact]
    public void Verify_AnswerComputedForAnotherUri_IsUriMismatchNotFailed()
    {
        var verifier = new SipDigestVerifier(_time);
        var answer = SipDigestClient.Authorize(Invite("sip:+15551239999@192.0.2.1"), verifier.Challenge(Invite(), Realm, "t"), new SipCredentials("acct", "s3cret"))!;

        // The same credentials on a request for another resource: replayed or misrouted, either way not for this Request-URI.
        answer.RequestUri = SipUri.Parse("sip:+15551230000@192.0.2.1");
        var result = verifier.Verify(answer, Realm, Password);

        Assert.Equal(SipAuthStatus.UriMismatch, result.Status);
        Assert.True(result.IsBadRequest);
        Assert.False(result.IsAuthenticated);
        Assert.True(SipDigestVerifier.HasUriMismatch(answer, Realm));
    }

    [Fact]
    public void Verify_AnswerForAnEquivalentUri_Authenticates()
    {
        var verifier = new SipDigestVerifier(_time);
        var answer = SipDigestClient.Authorize(Invite("sip:+15551230000@GATEWAY.example.com;foo=1"), verifier.Challenge(Invite(), Realm, "t"), new SipCredentials("acct", "s3cret"))!;

        // Host case differs and a parameter only one side carries: equal under RFC 3261 §19.1.4.
        answer.RequestUri = SipUri.Parse("sip:+15551230000@gateway.example.com");
        Assert.True(verifier.Verify(answer, Realm, Password).IsAuthenticated);
        Assert.False(SipDigestVerifier.HasUriMismatch(answer, Realm));
    }

    [Fact]
    public void HasUriMismatch_CredentialsForAnotherRealm_AreNotJudged()
    {
        var verifier = new SipDigestVerifier(_time);
        var answer = SipDigestClient.Authorize(Invite("sip:elsewhere@192.0.2.9"), verifier.Challenge(Invite(), "other-realm", "t"), new SipCredentials("acct", "s3cret"))!;
        answer.RequestUri = SipUri.Parse("sip:+15551230000@192.0.2.1");
        Assert.False(SipDigestVerifier.HasUriMismatch(answer, Realm));
        Assert.Equal(SipAuthStatus.Missing, verifier.Verify(answer, Realm, Password).Status);
    }

    [Theory]
    [InlineData("sip:alice@example.com", "sip:alice@example.com", true)]
    [InlineData("sip:alice@EXAMPLE.com", "sip:alice@example.COM", true)]
    [InlineData("SIP:alice@example.com", "sip:alice@example.com", true)]
    [InlineData("sip:alice@example.com;a=1;b=2", "sip:alice@example.com;b=2;a=1", true)]
    [InlineData("sip:alice@example.com;x=1", "sip:alice@example.com", true)]
    [InlineData("sip:Alice@example.com", "sip:alice@example.com", false)]
    [InlineData("sip:alice@example.com:5060", "sip:alice@example.com", false)]
    [InlineData("sip:alice@example.com:5061", "sip:alice@example.com:5060", false)]
    [InlineData("sip:alice@example.com;transport=tcp", "sip:alice@example.com", false)]
    [InlineData("sip:alice@example.com;transport=TCP", "sip:alice@example.com;transport=tcp", true)]
    [InlineData("sip:alice@example.com;x=1", "sip:alice@example.com;x=2", false)]
    [InlineData("sips:alice@example.com", "sip:alice@example.com", false)]
    [InlineData("sip:bob@example.com", "sip:alice@example.com", false)]
    [InlineData("sip:alice@example.org", "sip:alice@example.com", false)]
    [InlineData("tel:+15551230000", "tel:+15551230000", true)]
    [InlineData("not a uri", "sip:alice@example.com", false)]
    [InlineData("*", "sip:alice@example.com", false)]
    public void NamesRequestUri_FollowsRfc3261UriComparison(string digestUri, string requestUri, bool expected) =>
        Assert.Equal(expected, SipDigestVerifier.NamesRequestUri(digestUri, SipUri.Parse(requestUri)));

    [Fact]
    public void Endpoint_RegisterWhoseDigestUriIsAnotherResource_Gets400NotAChallenge()
    {
        var h = new EndpointHarness(new SipEndpointOptions { Users = new Dictionary<string, string> { ["alice"] = "pw" } });
        h.Receive(Register(1, "z9hG4bK-r1", "sip:192.0.2.1"));
        var challenge = h.SentResponse(401);

        var forOther = SipDigestClient.Authorize(RegisterRequest(1, "sip:registrar.elsewhere.example"), challenge, new SipCredentials("alice", "pw"))!;
        h.Receive(Register(2, "z9hG4bK-r2", "sip:192.0.2.1", "Authorization: " + forOther.Headers.Get("Authorization") + "\r\n"));
        var refusal = h.SentResponse(400);
        Assert.Contains("Request-URI", refusal.ReasonPhrase, StringComparison.Ordinal);
        Assert.Empty(h.Endpoint.Registrar!.Lookup("alice"));

        // The same user answering for the right resource is registered: the 400 was about the uri alone.
        var right = SipDigestClient.Authorize(RegisterRequest(2, "sip:192.0.2.1"), challenge, new SipCredentials("alice", "pw"))!;
        h.Receive(Register(3, "z9hG4bK-r3", "sip:192.0.2.1", "Authorization: " + right.Headers.Get("Authorization") + "\r\n"));
        Assert.Equal(200, h.SentResponse(200).StatusCode);
        Assert.Single(h.Endpoint.Registrar!.Lookup("alice"));
    }

    private static SipRequest RegisterRequest(int cseq, string requestUri)
    {
        var request = new SipRequest("REGISTER", SipUri.Parse(requestUri));
        request.Headers.Add("From", "<sip:alice@192.0.2.1>;tag=a1").Add("To", "<sip:alice@192.0.2.1>").Add("Call-ID", "reg-uri")
            .Add("CSeq", cseq + " REGISTER");
        return request;
    }

    private static string Register(int cseq, string branch, string requestUri, string extra = "") =>
        $"REGISTER {requestUri} SIP/2.0\r\n" +
        $"Via: SIP/2.0/UDP 192.0.2.20:5070;branch={branch};rport\r\n" +
        "From: <sip:alice@192.0.2.1>;tag=a1\r\nTo: <sip:alice@192.0.2.1>\r\nCall-ID: reg-uri\r\n" +
        $"CSeq: {cseq} REGISTER\r\nContact: <sip:alice@192.0.2.20:5070>\r\nMax-Forwards: 70\r\n" + extra +
        "Content-Length: 0\r\n\r\n";
}
