using System.Text;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>The application challenges an incoming INVITE per call (a trunk with credentials) and checks the retry.</summary>
public sealed class UasChallengeTests
{
    private const string Realm = "trunk-a.example.com";

    private static string? Password(string user) => user == "acct" ? "s3cret" : null;

    /// <summary>An application that admits only INVITEs authorized for <see cref="Realm"/>, the way a trunk check would.</summary>
    private static (EndpointHarness H, List<SipAuthResult> Results) Harness(bool proxy = false, TimeSpan? nonceLifetime = null)
    {
        var h = new EndpointHarness();
        var verifier = new SipDigestVerifier(h.Time) { NonceLifetime = nonceLifetime ?? TimeSpan.FromMinutes(5) };
        var results = new List<SipAuthResult>();
        h.AttachApplication(dialog =>
        {
            var result = verifier.Verify(dialog.InitialInvite, Realm, Password, proxy);
            results.Add(result);
            if (!result.IsAuthenticated)
            {
                dialog.RejectWithChallenge(verifier, Realm, result, proxy);
                return;
            }

            dialog.AnswerAsync(Encoding.UTF8.GetBytes("v=0\r\n"), "application/sdp");
        });
        return (h, results);
    }

    /// <summary>What the caller does with a challenge: ACK it, then send the INVITE again with credentials and a new branch.</summary>
    private static SipRequest Retry(EndpointHarness h, SipResponse challenge, string password, string branch)
    {
        var dialog = h.Calls[^1];
        var retry = SipDigestClient.Authorize(dialog.InitialInvite, challenge, new SipCredentials("acct", password))!;
        retry.Headers.AddFirst("Via", $"SIP/2.0/UDP 192.0.2.20:5070;branch={branch};rport");
        return retry;
    }

    private static void AckFailure(EndpointHarness h, SipResponse challenge, string branch)
    {
        var ack = EndpointHarness.InDialog("ACK", challenge.To!.Tag!, (int)challenge.CSeq!.Value.Number, branch)
            .Replace("sip:+15551230000@192.0.2.1:5060", "sip:+15551230000@192.0.2.1", StringComparison.Ordinal);
        h.Receive(ack);
    }

    [Fact]
    public void RejectWithChallenge_NoCredentials_Sends401WithBothAlgorithmsAndEndsDialog()
    {
        var (h, results) = Harness();
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n"));
        var challenge = h.SentResponse(401);
        var fields = challenge.Headers.GetFields("WWW-Authenticate").ToList();
        Assert.Equal(2, fields.Count);
        Assert.Contains("algorithm=SHA-256", fields[0], StringComparison.Ordinal);
        Assert.Contains("algorithm=MD5", fields[1], StringComparison.Ordinal);
        Assert.All(fields, f => Assert.Contains($"realm=\"{Realm}\"", f, StringComparison.Ordinal));
        Assert.All(fields, f => Assert.Contains("qop=\"auth\"", f, StringComparison.Ordinal));
        Assert.NotNull(challenge.To!.Tag);
        Assert.Equal(SipAuthStatus.Missing, Assert.Single(results).Status);
        var ended = Assert.IsType<SipDialogTerminated>(EndpointHarness.Drain(h.Calls[0]).Last());
        Assert.Equal((SipEndReason.Rejected, 401), (ended.Reason, ended.StatusCode));
    }

    [Fact]
    public void RetriedInvite_RightPassword_IsAnswered()
    {
        var (h, results) = Harness();
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n"));
        var challenge = h.SentResponse(401);
        AckFailure(h, challenge, "z9hG4bK-inv1");
        Assert.Empty(h.Sent());

        h.Receive(Retry(h, challenge, "s3cret", "z9hG4bK-inv2"));
        var ok = h.SentResponse(200);
        Assert.Equal(new SipCSeq(2, "INVITE"), ok.CSeq);
        Assert.Equal([SipAuthStatus.Missing, SipAuthStatus.Authenticated], results.Select(r => r.Status));
        Assert.Equal("acct", results[1].Username);
        Assert.Equal(2, h.Calls.Count);
        Assert.Equal(SipDialogState.Confirmed, h.Calls[1].State);
    }

    [Fact]
    public void RetriedInvite_WrongPassword_IsChallengedAgain()
    {
        var (h, results) = Harness();
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n"));
        var challenge = h.SentResponse(401);
        h.Receive(Retry(h, challenge, "wrong", "z9hG4bK-inv2"));
        var again = h.SentResponse(401);
        Assert.Equal(new SipCSeq(2, "INVITE"), again.CSeq);
        Assert.DoesNotContain("stale", again.Headers.Get("WWW-Authenticate"), StringComparison.Ordinal);
        Assert.Equal(SipAuthStatus.Failed, results[1].Status);
    }

    [Fact]
    public void RetriedInvite_AfterNonceLifetime_IsChallengedStaleThenSucceeds()
    {
        var (h, results) = Harness(nonceLifetime: TimeSpan.FromSeconds(30));
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n"));
        var challenge = h.SentResponse(401);
        h.Time.Advance(TimeSpan.FromSeconds(40));
        h.Sent(); // the unacknowledged 401's retransmissions

        h.Receive(Retry(h, challenge, "s3cret", "z9hG4bK-inv2"));
        var stale = h.SentResponse(401);
        Assert.All(stale.Headers.GetFields("WWW-Authenticate"), f => Assert.Contains("stale=true", f, StringComparison.Ordinal));
        Assert.Equal(SipAuthStatus.Stale, results[1].Status);

        h.Receive(Retry(h, stale, "s3cret", "z9hG4bK-inv3"));
        Assert.Equal(new SipCSeq(3, "INVITE"), h.SentResponse(200).CSeq);
        Assert.True(results[2].IsAuthenticated);
    }

    [Fact]
    public void RetriedInvite_ReplayedAuthorization_IsChallengedStale()
    {
        var (h, results) = Harness();
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n"));
        var challenge = h.SentResponse(401);
        var retry = Retry(h, challenge, "s3cret", "z9hG4bK-inv2");
        h.Receive(retry);
        h.SentResponse(200);

        // The same Authorization on a new INVITE (a new call someone captured and replays).
        var replay = retry.Clone();
        replay.Headers.Set("Via", "SIP/2.0/UDP 192.0.2.20:5070;branch=z9hG4bK-replay;rport");
        replay.Headers.Set("Call-ID", "call-2");
        h.Receive(replay);
        var refused = h.SentResponse(401);
        Assert.Contains("stale=true", refused.Headers.Get("WWW-Authenticate"), StringComparison.Ordinal);
        Assert.Equal(SipAuthStatus.Replayed, results[^1].Status);
    }

    [Fact]
    public void RejectWithChallenge_Proxy_Sends407AndAcceptsProxyAuthorization()
    {
        var (h, results) = Harness(proxy: true);
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n"));
        var challenge = h.SentResponse(407);
        Assert.Equal(2, challenge.Headers.GetFields("Proxy-Authenticate").Count());
        Assert.Empty(challenge.Headers.GetFields("WWW-Authenticate"));

        var retry = Retry(h, challenge, "s3cret", "z9hG4bK-inv2");
        Assert.NotNull(retry.Headers.Get("Proxy-Authorization"));
        h.Receive(retry);
        h.SentResponse(200);
        Assert.True(results[1].IsAuthenticated);
    }

    [Fact]
    public void Reject_WithHeaders_CarriesThem()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.Reject(503, headers: [new SipHeader("Retry-After", "30")]));
        h.Receive(EndpointHarness.Invite());
        Assert.Equal("30", h.SentResponse(503).Headers.Get("Retry-After"));
    }
}
