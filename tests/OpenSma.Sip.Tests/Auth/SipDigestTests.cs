using Microsoft.Extensions.Time.Testing;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Auth;

public sealed class SipDigestTests
{
    [Fact]
    public void Response_Rfc2617Example_MatchesKnownValue()
    {
        // RFC 2617 §3.5: Mufasa / Circle Of Life, qop=auth.
        var response = SipDigest.Response("MD5", "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
            "dcd98b7102dd2f0e8b11d0f600bfb0c093", "auth", "00000001", "0a4f113b");
        Assert.Equal("6629fae49393a05397450978507c4ef1", response);
    }

    [Fact]
    public void Response_Rfc7616Sha256Example_MatchesKnownValue()
    {
        // RFC 7616 §3.9.1 (SHA-256).
        var response = SipDigest.Response("SHA-256", "Mufasa", "http-auth@example.org", "Circle of Life", "GET", "/dir/index.html",
            "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "auth", "00000001", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
        Assert.Equal("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", response);
    }

    private static SipRequest Register()
    {
        var request = new SipRequest("REGISTER", SipUri.Parse("sip:opensma"));
        request.Headers.Add("Via", "SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKa").Add("From", "<sip:alice@opensma>;tag=1")
            .Add("To", "<sip:alice@opensma>").Add("Call-ID", "r1").Add("CSeq", "1 REGISTER");
        return request;
    }

    [Theory]
    [InlineData("SHA-256")]
    [InlineData("MD5")]
    public void Verify_ClientAnswer_Authenticates(string algorithm)
    {
        var server = new SipDigestServer("opensma", u => u == "alice" ? "pw" : null);
        var challenge = server.Challenge(Register(), "t");
        var only = new SipResponse(401);
        foreach (var field in challenge.Headers.GetFields("WWW-Authenticate").Where(f => f.Contains(algorithm + ",", StringComparison.Ordinal) || f.EndsWith(algorithm, StringComparison.Ordinal)))
        {
            only.Headers.Add("WWW-Authenticate", field);
        }

        var answered = SipDigestClient.Authorize(Register(), only, new SipCredentials("alice", "pw"))!;
        Assert.Contains("algorithm=" + algorithm, answered.Headers.Get("Authorization"), StringComparison.Ordinal);
        Assert.Equal(SipAuthResult.Ok("alice"), server.Verify(answered));
    }

    [Fact]
    public void Verify_WrongPassword_Fails()
    {
        var server = new SipDigestServer("opensma", _ => "pw");
        var answered = SipDigestClient.Authorize(Register(), server.Challenge(Register(), "t"), new SipCredentials("alice", "nope"))!;
        Assert.Equal(SipAuthStatus.Failed, server.Verify(answered).Status);
    }

    [Fact]
    public void Verify_ForgedNonce_Fails()
    {
        var server = new SipDigestServer("opensma", _ => "pw");
        var other = new SipDigestServer("opensma", _ => "pw");
        var answered = SipDigestClient.Authorize(Register(), other.Challenge(Register(), "t"), new SipCredentials("alice", "pw"))!;
        Assert.Equal(SipAuthStatus.Failed, server.Verify(answered).Status);
    }

    [Fact]
    public void Verify_OldNonce_IsStale()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var server = new SipDigestServer("opensma", _ => "pw", time);
        var answered = SipDigestClient.Authorize(Register(), server.Challenge(Register(), "t"), new SipCredentials("alice", "pw"))!;
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(SipAuthStatus.Stale, server.Verify(answered).Status);
    }

    [Fact]
    public void Verify_NoAuthorization_IsMissing()
    {
        Assert.Equal(SipAuthStatus.Missing, new SipDigestServer("opensma", _ => "pw").Verify(Register()).Status);
    }
}
