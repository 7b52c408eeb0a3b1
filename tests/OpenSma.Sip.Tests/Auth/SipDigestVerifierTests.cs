using Microsoft.Extensions.Time.Testing;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Auth;

public sealed class SipDigestVerifierTests
{
    private const string Realm = "trunk-a.example.com";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static string? Password(string user) => user == "acct" ? "s3cret" : null;

    private static SipRequest Invite()
    {
        var request = new SipRequest("INVITE", SipUri.Parse("sip:+15551230000@192.0.2.1"));
        request.Headers.Add("Via", "SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKa").Add("From", "<sip:+15559870000@trunk>;tag=1")
            .Add("To", "<sip:+15551230000@192.0.2.1>").Add("Call-ID", "c1").Add("CSeq", "1 INVITE");
        return request;
    }

    /// <summary>The challenge cut down to the one algorithm, so the client must answer with it.</summary>
    private static SipResponse OnlyAlgorithm(SipResponse challenge, string header, string algorithm)
    {
        var only = new SipResponse(challenge.StatusCode);
        foreach (var field in challenge.Headers.GetFields(header).Where(f => f.Contains("algorithm=" + algorithm + ",", StringComparison.Ordinal)))
        {
            only.Headers.Add(header, field);
        }

        Assert.Single(only.Headers.GetFields(header));
        return only;
    }

    [Theory]
    [InlineData("SHA-256")]
    [InlineData("MD5")]
    public void Verify_AnswerToChallenge_Authenticates(string algorithm)
    {
        var verifier = new SipDigestVerifier(_time);
        var challenge = OnlyAlgorithm(verifier.Challenge(Invite(), Realm, "t"), "WWW-Authenticate", algorithm);
        var retry = SipDigestClient.Authorize(Invite(), challenge, new SipCredentials("acct", "s3cret"))!;
        Assert.Contains("algorithm=" + algorithm, retry.Headers.Get("Authorization"), StringComparison.Ordinal);
        Assert.Equal(SipAuthResult.Ok("acct"), verifier.Verify(retry, Realm, Password));
    }

    [Fact]
    public void Challenge_Proxy_Is407WithProxyAuthenticateAndVerifiesProxyAuthorization()
    {
        var verifier = new SipDigestVerifier(_time);
        var challenge = verifier.Challenge(Invite(), Realm, "t", proxy: true);
        Assert.Equal(407, challenge.StatusCode);
        Assert.Empty(challenge.Headers.GetFields("WWW-Authenticate"));
        Assert.Equal(2, challenge.Headers.GetFields("Proxy-Authenticate").Count());
        var retry = SipDigestClient.Authorize(Invite(), challenge, new SipCredentials("acct", "s3cret"))!;
        Assert.Null(retry.Headers.Get("Authorization"));
        Assert.Equal(SipAuthStatus.Missing, verifier.Verify(retry, Realm, Password).Status);
        Assert.True(verifier.Verify(retry, Realm, Password, proxy: true).IsAuthenticated);
    }

    [Fact]
    public void Verify_WrongPassword_Fails()
    {
        var verifier = new SipDigestVerifier(_time);
        var retry = SipDigestClient.Authorize(Invite(), verifier.Challenge(Invite(), Realm, "t"), new SipCredentials("acct", "wrong"))!;
        var result = verifier.Verify(retry, Realm, Password);
        Assert.Equal(SipAuthStatus.Failed, result.Status);
        Assert.False(result.NeedsStaleChallenge);
    }

    [Fact]
    public void Verify_UnknownUser_Fails()
    {
        var verifier = new SipDigestVerifier(_time);
        var retry = SipDigestClient.Authorize(Invite(), verifier.Challenge(Invite(), Realm, "t"), new SipCredentials("nobody", "s3cret"))!;
        Assert.Equal(SipAuthStatus.Failed, verifier.Verify(retry, Realm, Password).Status);
    }

    [Fact]
    public void Verify_NonceOlderThanLifetime_IsStaleThenFreshChallengeSucceeds()
    {
        var verifier = new SipDigestVerifier(_time) { NonceLifetime = TimeSpan.FromSeconds(30) };
        var retry = SipDigestClient.Authorize(Invite(), verifier.Challenge(Invite(), Realm, "t"), new SipCredentials("acct", "s3cret"))!;
        _time.Advance(TimeSpan.FromSeconds(31));
        var result = verifier.Verify(retry, Realm, Password);
        Assert.Equal(SipAuthStatus.Stale, result.Status);
        Assert.True(result.NeedsStaleChallenge);

        var again = verifier.Challenge(Invite(), Realm, "t", stale: result.NeedsStaleChallenge);
        Assert.All(again.Headers.GetFields("WWW-Authenticate"), f => Assert.Contains("stale=true", f, StringComparison.Ordinal));
        var second = SipDigestClient.Authorize(Invite(), again, new SipCredentials("acct", "s3cret"))!;
        Assert.True(verifier.Verify(second, Realm, Password).IsAuthenticated);
    }

    [Fact]
    public void Verify_OldNonceWrongPassword_FailsRatherThanStale()
    {
        var verifier = new SipDigestVerifier(_time);
        var retry = SipDigestClient.Authorize(Invite(), verifier.Challenge(Invite(), Realm, "t"), new SipCredentials("acct", "wrong"))!;
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(SipAuthStatus.Failed, verifier.Verify(retry, Realm, Password).Status);
    }

    [Fact]
    public void Verify_SameNonceCountTwice_IsReplayed()
    {
        var verifier = new SipDigestVerifier(_time);
        var retry = SipDigestClient.Authorize(Invite(), verifier.Challenge(Invite(), Realm, "t"), new SipCredentials("acct", "s3cret"))!;
        Assert.True(verifier.Verify(retry, Realm, Password).IsAuthenticated);
        var replay = verifier.Verify(retry, Realm, Password);
        Assert.Equal(SipAuthStatus.Replayed, replay.Status);
        Assert.True(replay.NeedsStaleChallenge);
    }

    [Fact]
    public void Verify_SameNonceHigherCount_Authenticates()
    {
        var verifier = new SipDigestVerifier(_time);
        var challenge = verifier.Challenge(Invite(), Realm, "t");
        var first = SipDigestClient.Authorize(Invite(), challenge, new SipCredentials("acct", "s3cret"))!;
        Assert.True(verifier.Verify(first, Realm, Password).IsAuthenticated);

        // A client reusing the nonce for its next request counts up (RFC 7616 §3.4).
        var second = WithCount(first, "00000002", "s3cret");
        Assert.True(verifier.Verify(second, Realm, Password).IsAuthenticated);
        Assert.Equal(SipAuthStatus.Replayed, verifier.Verify(WithCount(first, "00000002", "s3cret"), Realm, Password).Status);
        Assert.Equal(1, verifier.TrackedNonces);
    }

    [Fact]
    public void Verify_NonceIssuedForAnotherRealm_Fails()
    {
        var verifier = new SipDigestVerifier(_time);
        var challenge = verifier.Challenge(Invite(), "other-realm", "t");
        var retry = SipDigestClient.Authorize(Invite(), challenge, new SipCredentials("acct", "s3cret"))!;
        var forged = retry.Clone();
        var field = forged.Headers.Get("Authorization")!.Replace("realm=\"other-realm\"", $"realm=\"{Realm}\"", StringComparison.Ordinal);
        forged.Headers.Set("Authorization", field);
        Assert.Equal(SipAuthStatus.Failed, verifier.Verify(forged, Realm, Password).Status);
    }

    [Fact]
    public void Verify_NonceFromAnotherVerifier_Fails()
    {
        var verifier = new SipDigestVerifier(_time);
        var other = new SipDigestVerifier(_time);
        var retry = SipDigestClient.Authorize(Invite(), other.Challenge(Invite(), Realm, "t"), new SipCredentials("acct", "s3cret"))!;
        Assert.Equal(SipAuthStatus.Failed, verifier.Verify(retry, Realm, Password).Status);
    }

    [Fact]
    public void Verify_AnswerWithoutQop_Fails()
    {
        var verifier = new SipDigestVerifier(_time);
        var nonce = verifier.CreateChallenges(Realm)[0].Split("nonce=\"")[1].Split('"')[0];
        var request = Invite();
        var response = SipDigest.Response("SHA-256", "acct", Realm, "s3cret", "INVITE", "sip:+15551230000@192.0.2.1", nonce, null, null, null);
        request.Headers.Add("Authorization",
            $"Digest username=\"acct\", realm=\"{Realm}\", nonce=\"{nonce}\", uri=\"sip:+15551230000@192.0.2.1\", response=\"{response}\", algorithm=SHA-256");
        Assert.Equal(SipAuthStatus.Failed, verifier.Verify(request, Realm, Password).Status);
    }

    [Fact]
    public void Verify_OtherRealmOnly_IsMissing()
    {
        var verifier = new SipDigestVerifier(_time);
        var retry = SipDigestClient.Authorize(Invite(), verifier.Challenge(Invite(), "elsewhere", "t"), new SipCredentials("acct", "s3cret"))!;
        Assert.Equal(SipAuthStatus.Missing, verifier.Verify(retry, Realm, Password).Status);
    }

    [Fact]
    public void CreateChallenges_TwoCalls_UseDifferentNonces()
    {
        var verifier = new SipDigestVerifier(_time);
        Assert.NotEqual(verifier.CreateChallenges(Realm)[0], verifier.CreateChallenges(Realm)[0]);
    }

    /// <summary>The same answer with another nonce-count, its response recomputed as a client would.</summary>
    private static SipRequest WithCount(SipRequest authorized, string nc, string password)
    {
        Assert.True(SipAuthHeader.TryParse(authorized.Headers.Get("Authorization")!, out var auth));
        auth["nc"] = nc;
        auth["response"] = SipDigest.Response(auth["algorithm"]!, auth["username"]!, auth["realm"]!, password, authorized.Method, auth["uri"]!,
            auth["nonce"]!, "auth", nc, auth["cnonce"]);
        var copy = authorized.Clone();
        copy.Headers.Set("Authorization", auth.Format("algorithm", "qop", "nc"));
        return copy;
    }
}
