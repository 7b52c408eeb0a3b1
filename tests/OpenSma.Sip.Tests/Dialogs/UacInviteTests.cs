using System.Text;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Tests.Dialogs;

public sealed class UacInviteTests
{
    private static SipInviteOptions Options(SipCredentials? credentials = null) => new()
    {
        Target = SipUri.Parse("sip:+15559870000@192.0.2.20:5070"),
        From = SipNameAddress.Parse("<sip:+15551230000@192.0.2.1>"),
        Body = Encoding.UTF8.GetBytes("offer"),
        ContentType = "application/sdp",
        Credentials = credentials,
    };

    private static SipResponse Reply(SipRequest invite, int code, string tag = "callee1")
    {
        var response = SipResponses.Create(invite, code, toTag: tag);
        if (code is >= 200 and < 300)
        {
            response.Headers.Add("Contact", "<sip:callee@192.0.2.20:5071>");
            response.Headers.Add("Record-Route", "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>");
        }

        return response;
    }

    [Fact]
    public async Task Invite_422WithMinSE_RetriesOnceWithRaisedIntervalAndMinSE()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options() with { Headers = [new SipHeader("Session-Expires", "120;refresher=uac")] });
        var invite = (SipRequest)Assert.Single(h.Sent());

        var tooSmall = SipResponses.Create(invite, 422, toTag: "t1");
        tooSmall.Headers.Add("Min-SE", "1800");
        h.Receive(tooSmall);
        var sent = h.Sent().Cast<SipRequest>().ToList();
        Assert.Equal(["ACK", "INVITE"], sent.Select(r => r.Method));
        var retry = sent[1];
        Assert.Equal(new SipCSeq(2, "INVITE"), retry.CSeq);
        Assert.Equal(invite.CallId, retry.CallId);
        Assert.NotEqual(invite.TopVia!.Branch, retry.TopVia!.Branch);
        Assert.Equal("1800;refresher=uac", retry.Headers.Get("Session-Expires"));
        Assert.Equal("1800", retry.Headers.Get("Min-SE"));

        // A second 422 is final: the retry happens once.
        var again = SipResponses.Create(retry, 422, toTag: "t2");
        again.Headers.Add("Min-SE", "3600");
        h.Receive(again);
        Assert.Equal(422, (await call.WaitAsync(TimeSpan.FromSeconds(10))).FinalResponse.StatusCode);
    }

    [Fact]
    public async Task Invite_WithoutOffer_AnswerToOfferIn2xxGoesInAck()
    {
        var h = new EndpointHarness();
        SipResponse? offered = null;
        var call = h.Endpoint.InviteAsync(Options() with
        {
            Body = default,
            ContentType = null,
            AnswerOffer = ok =>
            {
                offered = ok;
                return new SipBody(Encoding.UTF8.GetBytes("v=0 our answer\r\n"), "application/sdp");
            },
        });
        var invite = (SipRequest)Assert.Single(h.Sent());
        Assert.True(invite.Body.IsEmpty);

        var ok = Reply(invite, 200);
        ok.Headers.Add("Content-Type", "application/sdp");
        ok.Body = Encoding.UTF8.GetBytes("v=0 their offer\r\n");
        h.Receive(ok);
        var ack = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("ACK", ack.Method);
        Assert.Equal("application/sdp", ack.ContentType);
        Assert.Equal("v=0 our answer\r\n", Encoding.UTF8.GetString(ack.Body.Span));
        Assert.Equal("v=0 their offer\r\n", Encoding.UTF8.GetString(offered!.Body.Span));
        Assert.True((await call.WaitAsync(TimeSpan.FromSeconds(10))).IsAnswered);

        // A retransmitted 2xx gets the same ACK, answer included.
        h.Receive(ok);
        Assert.Equal("v=0 our answer\r\n", Encoding.UTF8.GetString(Assert.IsType<SipRequest>(Assert.Single(h.Sent())).Body.Span));
    }

    [Fact]
    public async Task Invite_WithoutOffer_OfferInReliable183IsAnsweredInPrackNotAck()
    {
        var h = new EndpointHarness();
        var offers = new List<string>();
        var call = h.Endpoint.InviteAsync(Options() with
        {
            Body = default,
            ContentType = null,
            AnswerOffer = r =>
            {
                offers.Add(Encoding.UTF8.GetString(r.Body.Span));
                return new SipBody(Encoding.UTF8.GetBytes("our answer"), "application/sdp");
            },
        });
        var invite = (SipRequest)Assert.Single(h.Sent());

        var progress = Reply(invite, 183);
        progress.Headers.Add("Require", "100rel");
        progress.Headers.Add("RSeq", "7");
        progress.Headers.Add("Contact", "<sip:callee@192.0.2.20:5071>");
        progress.Headers.Add("Content-Type", "application/sdp");
        progress.Body = Encoding.UTF8.GetBytes("their offer");
        h.Receive(progress);
        var prack = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("PRACK", prack.Method);
        Assert.Equal("application/sdp", prack.ContentType);
        Assert.Equal("our answer", Encoding.UTF8.GetString(prack.Body.Span));

        // The 2xx repeats the same session description: it is not a new offer, so the ACK is empty.
        var ok = Reply(invite, 200);
        ok.Headers.Add("Content-Type", "application/sdp");
        ok.Body = Encoding.UTF8.GetBytes("their offer");
        h.Receive(ok);
        var ack = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("ACK", ack.Method);
        Assert.True(ack.Body.IsEmpty);
        Assert.Equal(["their offer"], offers);
        Assert.True((await call.WaitAsync(TimeSpan.FromSeconds(10))).IsAnswered);
    }

    [Fact]
    public async Task Invite_WithOffer_AckHasNoBodyEvenWithAnswerCallback()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options() with { AnswerOffer = _ => new SipBody(Encoding.UTF8.GetBytes("x"), "application/sdp") });
        var invite = (SipRequest)Assert.Single(h.Sent());
        var ok = Reply(invite, 200);
        ok.Headers.Add("Content-Type", "application/sdp");
        ok.Body = Encoding.UTF8.GetBytes("answer");
        h.Receive(ok);
        Assert.True(Assert.IsType<SipRequest>(Assert.Single(h.Sent())).Body.IsEmpty);
        Assert.True((await call.WaitAsync(TimeSpan.FromSeconds(10))).IsAnswered);
    }

    [Fact]
    public async Task Invite_Answered_AcksAndReturnsConfirmedDialog()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options());
        var invite = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("offer", Encoding.UTF8.GetString(invite.Body.Span));
        Assert.NotNull(invite.From!.Tag);

        h.Receive(Reply(invite, 180));
        h.Receive(Reply(invite, 200));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(result.IsAnswered);
        var ack = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("ACK", ack.Method);
        Assert.Equal(new SipCSeq(1, "ACK"), ack.CSeq);
        Assert.NotEqual(invite.TopVia!.Branch, ack.TopVia!.Branch);
        Assert.Equal("sip:callee@192.0.2.20:5071", ack.RequestUri.ToString());

        // Route set is the Record-Route of the 2xx reversed (RFC 3261 §12.1.2).
        Assert.Equal(["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"], result.Dialog!.RouteSet.Select(r => r.ToString()));
    }

    [Fact]
    public async Task Invite_Retransmitted2xx_ResendsAck()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options());
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, 200));
        await call.WaitAsync(TimeSpan.FromSeconds(10));
        var first = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        h.Receive(Reply(invite, 200));
        var again = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("ACK", again.Method);

        // The dialog keeps no ACK; the one it rebuilds is the same request, branch included.
        Assert.Equal(Encoding.UTF8.GetString(SipMessageWriter.ToBytes(first)), Encoding.UTF8.GetString(SipMessageWriter.ToBytes(again)));
        h.Receive(Reply(invite, 200));
        Assert.Equal(first.TopVia!.Branch, Assert.IsType<SipRequest>(Assert.Single(h.Sent())).TopVia!.Branch);
    }

    [Fact]
    public async Task Invite_Rejected_ReturnsFailureAndAcksIt()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options());
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, 486));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(result.IsAnswered);
        Assert.Equal(486, result.FinalResponse.StatusCode);
        Assert.Equal(invite.TopVia!.Branch, Assert.IsType<SipRequest>(Assert.Single(h.Sent())).TopVia!.Branch);
    }

    [Fact]
    public async Task Cancel_BeforeAnyProvisional_WaitsForOneThenCancels()
    {
        var h = new EndpointHarness();
        using var cts = new CancellationTokenSource();
        var call = h.Endpoint.InviteAsync(Options(), cts.Token);
        var invite = (SipRequest)Assert.Single(h.Sent());
        await cts.CancelAsync();
        Assert.Empty(h.Sent());
        h.Receive(Reply(invite, 100));
        var cancel = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("CANCEL", cancel.Method);
        Assert.Equal(invite.TopVia!.Branch, cancel.TopVia!.Branch);
        h.Receive(Reply(invite, 487));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(487, result.FinalResponse.StatusCode);
    }

    [Fact]
    public async Task Cancel_RacesWith200_AcksThenSendsBye()
    {
        var h = new EndpointHarness();
        using var cts = new CancellationTokenSource();
        var call = h.Endpoint.InviteAsync(Options(), cts.Token);
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, 180));
        await cts.CancelAsync();
        Assert.Equal("CANCEL", Assert.IsType<SipRequest>(Assert.Single(h.Sent())).Method);

        // The callee answered before it saw our CANCEL.
        h.Receive(Reply(invite, 200));
        var sent = h.Sent().Cast<SipRequest>().Select(r => r.Method).ToList();
        Assert.Equal(["ACK", "BYE"], sent);
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(result.IsAnswered);
        Assert.Equal(0, h.Endpoint.UserAgent.DialogCount);
    }

    [Fact]
    public async Task Invite_NoResponse_TimesOutWith408()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options());
        h.Time.Advance(TimeSpan.FromSeconds(32));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(408, result.FinalResponse.StatusCode);
    }

    [Fact]
    public async Task Invite_ProxyChallenge_RetriesOnceWithCredentialsTheServerAccepts()
    {
        var h = new EndpointHarness();
        var server = new SipDigestServer("trunk", u => u == "acct" ? "s3cret" : null, h.Time);
        var call = h.Endpoint.InviteAsync(Options(new SipCredentials("acct", "s3cret")));
        var invite = (SipRequest)Assert.Single(h.Sent());

        var challenge = server.Challenge(invite, "t1");
        h.Receive(challenge);
        var sent = h.Sent().Cast<SipRequest>().ToList();
        Assert.Equal(["ACK", "INVITE"], sent.Select(r => r.Method));
        var retry = sent[1];
        Assert.Equal(new SipCSeq(2, "INVITE"), retry.CSeq);
        Assert.Equal(invite.CallId, retry.CallId);
        Assert.Contains("algorithm=SHA-256", retry.Headers.Get("Authorization"), StringComparison.Ordinal);
        Assert.True(server.Verify(retry).IsAuthenticated);

        h.Receive(Reply(retry, 200));
        Assert.True((await call.WaitAsync(TimeSpan.FromSeconds(10))).IsAnswered);
    }

    [Fact]
    public async Task SendReInvite_Answered491AsCaller_WaitsAtLeast2Point1Seconds()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options());
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, 200));
        var dialog = (await call.WaitAsync(TimeSpan.FromSeconds(10))).Dialog!;
        h.Sent();

        var reInvite = dialog.SendRequestAsync("INVITE", Encoding.UTF8.GetBytes("hold"), "application/sdp");
        h.Receive(SipResponses.Create((SipRequest)Assert.Single(h.Sent()), 491));
        h.Sent();

        // We made the Call-ID, so §14.1 says 2.1 to 4 s.
        h.Time.Advance(TimeSpan.FromSeconds(2.09));
        Assert.Empty(h.Sent());
        h.Time.Advance(TimeSpan.FromSeconds(1.92));
        Assert.Equal("INVITE", Assert.IsType<SipRequest>(Assert.Single(h.Sent())).Method);
        Assert.False(reInvite.IsCompleted);
    }

    [Fact]
    public async Task HangUp_UacDialog_SendsByeWithNextCSeq()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options());
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, 200));
        var dialog = (await call.WaitAsync(TimeSpan.FromSeconds(10))).Dialog!;
        h.Sent();
        _ = dialog.HangUpAsync();
        var bye = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal(new SipCSeq(2, "BYE"), bye.CSeq);
        Assert.Equal("callee1", bye.To!.Tag);
        Assert.Equal(invite.From!.Tag, bye.From!.Tag);
        Assert.Equal("<sip:p1.example.com;lr>", bye.Routes[0].ToString());
    }

    [Fact]
    public async Task Invite_ReliableProvisional_SendsPrackOnceAndContinuesCSeq()
    {
        var h = new EndpointHarness();
        var provisionals = new List<int>();
        var call = h.Endpoint.InviteAsync(Options() with { OnProvisional = r => provisionals.Add(r.StatusCode) });
        var invite = (SipRequest)Assert.Single(h.Sent());
        Assert.True(invite.HasOptionTag("Supported", "100rel"));

        var progress = Reply(invite, 183);
        progress.Headers.Add("Require", "100rel");
        progress.Headers.Add("RSeq", "1");
        progress.Headers.Add("Contact", "<sip:callee@192.0.2.20:5071>");
        h.Receive(progress);
        var prack = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("PRACK", prack.Method);
        Assert.Equal("1 1 INVITE", prack.Headers.Get("RAck"));
        Assert.Equal(new SipCSeq(2, "PRACK"), prack.CSeq);
        Assert.Equal("callee1", prack.To!.Tag);
        Assert.Equal("sip:callee@192.0.2.20:5071", prack.RequestUri.ToString());

        // The same reliable 183 again: no second PRACK and no second report.
        h.Receive(progress);
        Assert.Empty(h.Sent());
        Assert.Equal([183], provisionals);

        h.Receive(Reply(invite, 200));
        var dialog = (await call.WaitAsync(TimeSpan.FromSeconds(10))).Dialog!;
        h.Sent();
        _ = dialog.HangUpAsync();
        Assert.Equal(new SipCSeq(3, "BYE"), Assert.IsType<SipRequest>(Assert.Single(h.Sent())).CSeq);
    }
}
