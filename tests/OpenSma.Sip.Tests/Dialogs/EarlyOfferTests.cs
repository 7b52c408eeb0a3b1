using System.Globalization;
using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>
/// New offers in the early dialog once the first offer/answer exchange has completed (RFC 3262 §5,
/// RFC 3311, RFC 6337 §3.1): in a later reliable provisional (answered in the PRACK), in a PRACK
/// (answered in its 200), and in an UPDATE; a new offer is told from a repeat by its o= line.
/// </summary>
public sealed class EarlyOfferTests
{
    private static string Sdp(int version, string codec = "0") =>
        $"v=0\r\no=peer 42 {version.ToString(CultureInfo.InvariantCulture)} IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 40000 RTP/AVP {codec}\r\n";

    private static string Ours(int version, string codec = "0") => Sdp(version, codec).Replace("o=peer", "o=us", StringComparison.Ordinal);

    [Fact]
    public void Uas_LaterReliable183WithNewVersion_IsOurOfferAndItsPrackTheAnswer()
    {
        var (h, dialog) = EndpointHarness.IncomingWith100rel(Sdp(1));
        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes(Ours(1)), "application/sdp");
        var (tag, rseq) = h.SentReliable(183);
        h.Receive(EndpointHarness.Prack(tag, rseq, 2, "z9hG4bK-prack1"));
        Assert.Equal("PRACK", h.SentResponse(200).CSeq!.Value.Method);

        // Our session changes (PCMA, version 2): the next reliable provisional offers it.
        var second = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes(Ours(2, "8")), "application/sdp");
        var (_, rseq2) = h.SentReliable(183);
        Assert.Equal(rseq + 1, rseq2);
        h.Receive(EndpointHarness.Prack(tag, rseq2, 3, "z9hG4bK-prack2", body: Sdp(2, "8")));
        var ok = h.SentResponse(200);
        Assert.True(ok.Body.IsEmpty);
        Assert.True(UasDialogTests.Completed(second));
        var answer = Assert.IsType<SipEarlyAnswerReceived>(Assert.Single(EndpointHarness.Drain(dialog)));
        Assert.Equal(Sdp(2, "8"), Encoding.UTF8.GetString(answer.Prack.Body.Span));
    }

    [Fact]
    public void Uas_LaterReliable183RepeatingTheSameVersion_IsNoOffer_APrackBodyThenIsTheCallersOffer()
    {
        var (h, dialog) = EndpointHarness.IncomingWith100rel(Sdp(1));
        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes(Ours(1)), "application/sdp");
        var (tag, rseq) = h.SentReliable(183);
        h.Receive(EndpointHarness.Prack(tag, rseq, 2, "z9hG4bK-prack1"));
        h.Sent();

        _ = dialog.RingReliablyAsync(180, Encoding.UTF8.GetBytes(Ours(1)), "application/sdp");
        var (_, rseq2) = h.SentReliable(180);
        h.Receive(EndpointHarness.Prack(tag, rseq2, 3, "z9hG4bK-prack2", body: Sdp(2, "8")));
        Assert.Empty(h.Sent());
        var request = Assert.IsType<SipDialogRequestReceived>(Assert.Single(EndpointHarness.Drain(dialog))).Request;
        Assert.Equal("PRACK", request.Method);
    }

    [Fact]
    public void Uas_AnswerToPrackOffer_BecomesOurSession_SoRepeatingItIsNoNewOffer()
    {
        var (h, dialog) = EndpointHarness.IncomingWith100rel(Sdp(1));
        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes(Ours(1)), "application/sdp");
        var (tag, rseq) = h.SentReliable(183);
        h.Receive(EndpointHarness.Prack(tag, rseq, 2, "z9hG4bK-prack1", body: Sdp(2, "8")));
        var offer = Assert.IsType<SipDialogRequestReceived>(Assert.Single(EndpointHarness.Drain(dialog))).Request;
        offer.Respond(200, Encoding.UTF8.GetBytes(Ours(2, "8")), "application/sdp");
        Assert.Equal(Ours(2, "8"), Encoding.UTF8.GetString(h.SentResponse(200).Body.Span));

        // The same description in the next reliable provisional repeats our answer: its PRACK
        // without a body is acknowledged by the stack and nothing reaches the application.
        _ = dialog.RingReliablyAsync(180, Encoding.UTF8.GetBytes(Ours(2, "8")), "application/sdp");
        var (_, rseq2) = h.SentReliable(180);
        h.Receive(EndpointHarness.Prack(tag, rseq2, 3, "z9hG4bK-prack2"));
        Assert.Equal("PRACK", h.SentResponse(200).CSeq!.Value.Method);
        Assert.Empty(EndpointHarness.Drain(dialog));
    }

    [Fact]
    public void Uas_AnswerWhilePrackOfferAwaitsTheApplication_2xxWaitsAndCarriesThatAnswer()
    {
        var (h, dialog) = EndpointHarness.IncomingWith100rel(Sdp(1));
        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes(Ours(1)), "application/sdp");
        var (tag, rseq) = h.SentReliable(183);
        var answered = dialog.AnswerAsync(Encoding.UTF8.GetBytes(Ours(1)), "application/sdp");
        Assert.Empty(h.Sent());

        h.Receive(EndpointHarness.Prack(tag, rseq, 2, "z9hG4bK-prack1", body: Sdp(2, "8")));
        Assert.Empty(h.Sent());
        var offer = Assert.IsType<SipDialogRequestReceived>(Assert.Single(EndpointHarness.Drain(dialog))).Request;

        offer.Respond(200, Encoding.UTF8.GetBytes(Ours(2, "8")), "application/sdp");
        var sent = h.Sent().OfType<SipResponse>().ToList();
        Assert.Equal(["PRACK", "INVITE"], sent.Select(r => r.CSeq!.Value.Method));
        Assert.All(sent, r => Assert.Equal(Ours(2, "8"), Encoding.UTF8.GetString(r.Body.Span)));
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        Assert.True(UasDialogTests.Completed(answered));
    }

    [Fact]
    public void Uas_AnswerBuiltBeforeAPrackRenegotiated_2xxRepeatsTheNewerSession()
    {
        var (h, dialog) = EndpointHarness.IncomingWith100rel(Sdp(1));
        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes(Ours(1)), "application/sdp");
        var (tag, rseq) = h.SentReliable(183);
        h.Receive(EndpointHarness.Prack(tag, rseq, 2, "z9hG4bK-prack1", body: Sdp(2, "8")));
        var offer = Assert.IsType<SipDialogRequestReceived>(Assert.Single(EndpointHarness.Drain(dialog))).Request;
        offer.Respond(200, Encoding.UTF8.GetBytes(Ours(2, "8")), "application/sdp");
        h.Sent();

        // The application's answer was made from the session before the PRACK (version 1).
        _ = dialog.AnswerAsync(Encoding.UTF8.GetBytes(Ours(1)), "application/sdp");

        var ok = h.SentResponse(200);
        Assert.Equal("INVITE", ok.CSeq!.Value.Method);
        Assert.Equal(Ours(2, "8"), Encoding.UTF8.GetString(ok.Body.Span));
    }

    [Fact]
    public void Uas_PrackOfferRefused488_HeldAnswerGoesWithTheOldSession()
    {
        var (h, dialog) = EndpointHarness.IncomingWith100rel(Sdp(1));
        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes(Ours(1)), "application/sdp");
        var (tag, rseq) = h.SentReliable(183);
        _ = dialog.AnswerAsync(Encoding.UTF8.GetBytes(Ours(1)), "application/sdp");
        h.Receive(EndpointHarness.Prack(tag, rseq, 2, "z9hG4bK-prack1", body: Sdp(2, "99")));
        var offer = Assert.IsType<SipDialogRequestReceived>(Assert.Single(EndpointHarness.Drain(dialog))).Request;

        offer.Respond(488);
        var sent = h.Sent().OfType<SipResponse>().ToList();
        Assert.Equal([(488, "PRACK"), (200, "INVITE")], sent.Select(r => (r.StatusCode, r.CSeq!.Value.Method)));
        Assert.Equal(Ours(1), Encoding.UTF8.GetString(sent[1].Body.Span));
    }

    [Fact]
    public void Uas_UpdateWithOfferBeforeTheExchangeCompleted_Gets491_AfterwardsReachesTheApplication()
    {
        var (h, dialog) = EndpointHarness.IncomingWith100rel(Sdp(1));
        dialog.Ring(180);
        var tag = h.SentResponse(180).To!.Tag!;

        h.Receive(EndpointHarness.InDialog("UPDATE", tag, 2, "z9hG4bK-upd1", contentType: "application/sdp", body: Sdp(2, "8")));
        Assert.Equal("UPDATE", h.SentResponse(491).CSeq!.Value.Method);
        Assert.Empty(EndpointHarness.Drain(dialog));

        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes(Ours(1)), "application/sdp");
        var (_, rseq) = h.SentReliable(183);
        h.Receive(EndpointHarness.Prack(tag, rseq, 3, "z9hG4bK-prack1"));
        h.Sent();
        h.Receive(EndpointHarness.InDialog("UPDATE", tag, 4, "z9hG4bK-upd2", contentType: "application/sdp", body: Sdp(2, "8")));
        var update = Assert.IsType<SipDialogRequestReceived>(Assert.Single(EndpointHarness.Drain(dialog))).Request;
        Assert.Equal("UPDATE", update.Method);
        update.Respond(200, Encoding.UTF8.GetBytes(Ours(2, "8")), "application/sdp");
        var ok = h.SentResponse(200);
        Assert.Equal(Ours(2, "8"), Encoding.UTF8.GetString(ok.Body.Span));
        Assert.NotNull(ok.Headers.Get("Contact"));
    }

    private static SipInviteOptions UacOptions(Func<SipMessage, SipBody?>? answerEarlyOffer, List<int>? provisionals = null) => new()
    {
        Target = SipUri.Parse("sip:+15559870000@192.0.2.20:5070"),
        From = SipNameAddress.Parse("<sip:+15551230000@192.0.2.1>"),
        Body = Encoding.UTF8.GetBytes(Ours(1)),
        ContentType = "application/sdp",
        AnswerEarlyOffer = answerEarlyOffer,
        OnProvisional = r => provisionals?.Add(r.StatusCode),
    };

    private static SipResponse ReliableReply(SipRequest invite, int code, long rseq, string? body)
    {
        var response = SipResponses.Create(invite, code, toTag: "callee1");
        response.Headers.Add("Require", "100rel");
        response.Headers.Add("RSeq", rseq.ToString(CultureInfo.InvariantCulture));
        response.Headers.Add("Contact", "<sip:callee@192.0.2.20:5071>");
        if (body is not null)
        {
            response.Headers.Add("Content-Type", "application/sdp");
            response.Body = Encoding.UTF8.GetBytes(body);
        }

        return response;
    }

    [Fact]
    public async Task Uac_NewOfferInLaterReliable183_IsAnsweredInThePrack_RepeatsAreNot()
    {
        var h = new EndpointHarness();
        var offers = new List<string>();
        var provisionals = new List<int>();
        var call = h.Endpoint.InviteAsync(UacOptions(
            r =>
            {
                offers.Add(Encoding.UTF8.GetString(r.Body.Span));
                return new SipBody(Encoding.UTF8.GetBytes(Ours(2, "8")), "application/sdp");
            },
            provisionals));
        var invite = (SipRequest)Assert.Single(h.Sent());

        // The answer to our INVITE's offer: the PRACK carries nothing.
        h.Receive(ReliableReply(invite, 183, 10, Sdp(1)));
        var prack1 = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal(("PRACK", true), (prack1.Method, prack1.Body.IsEmpty));

        // A new version: a new offer, answered in the PRACK.
        h.Receive(ReliableReply(invite, 183, 11, Sdp(2, "8")));
        var prack2 = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("11 1 INVITE", prack2.Headers.Get("RAck"));
        Assert.Equal("application/sdp", prack2.ContentType);
        Assert.Equal(Ours(2, "8"), Encoding.UTF8.GetString(prack2.Body.Span));

        // The same version again (a 180 repeating it): no offer, no answer.
        h.Receive(ReliableReply(invite, 180, 12, Sdp(2, "8")));
        var prack3 = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.True(prack3.Body.IsEmpty);
        Assert.Equal([Sdp(2, "8")], offers);
        Assert.Equal([183, 183, 180], provisionals);

        var ok = SipResponses.Create(invite, 200, toTag: "callee1");
        ok.Headers.Add("Contact", "<sip:callee@192.0.2.20:5071>");
        ok.Headers.Add("Content-Type", "application/sdp");
        ok.Body = Encoding.UTF8.GetBytes(Sdp(2, "8"));
        h.Receive(ok);
        var ack = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal(("ACK", true), (ack.Method, ack.Body.IsEmpty));
        var dialog = (await call.WaitAsync(TimeSpan.FromSeconds(10))).Dialog!;
        Assert.Equal(new SipCSeq(5, "BYE"), await HangUpCSeqAsync(h, dialog));
    }

    [Fact]
    public async Task Uac_NewOfferTheApplicationCannotAnswer_PrackGoesWithoutBody()
    {
        var h = new EndpointHarness();
        var asked = 0;
        var call = h.Endpoint.InviteAsync(UacOptions(_ =>
        {
            asked++;
            return null;
        }));
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(ReliableReply(invite, 183, 10, Sdp(1)));
        h.Sent();

        h.Receive(ReliableReply(invite, 183, 11, Sdp(2, "99")));
        var prack = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("PRACK", prack.Method);
        Assert.True(prack.Body.IsEmpty);
        Assert.Equal(1, asked);

        h.Receive(SipResponses.Create(invite, 486, toTag: "callee1"));
        Assert.Equal(486, (await call.WaitAsync(TimeSpan.FromSeconds(10))).FinalResponse.StatusCode);
    }

    [Fact]
    public void SessionVersion_ComparesTheOriginLine_OrTheBytesWithoutOne()
    {
        Assert.Equal("peer 42 7 IN IP4 192.0.2.20", SipSessionVersion.OriginOf(Encoding.UTF8.GetBytes(Sdp(7))));
        Assert.True(SipSessionVersion.SameVersion(Encoding.UTF8.GetBytes(Sdp(3, "0")), Encoding.UTF8.GetBytes(Sdp(3, "8"))));
        Assert.False(SipSessionVersion.SameVersion(Encoding.UTF8.GetBytes(Sdp(3)), Encoding.UTF8.GetBytes(Sdp(4))));
        Assert.False(SipSessionVersion.SameVersion(Encoding.UTF8.GetBytes(Sdp(3)), default));
        Assert.True(SipSessionVersion.SameVersion("no sdp"u8, "no sdp"u8));
        Assert.False(SipSessionVersion.SameVersion("no sdp"u8, "other"u8));
        Assert.Null(SipSessionVersion.OriginOf("v=0\no"u8));
        Assert.True(SipSessionVersion.IsOlder(Encoding.UTF8.GetBytes(Sdp(3)), Encoding.UTF8.GetBytes(Sdp(4))));
        Assert.False(SipSessionVersion.IsOlder(Encoding.UTF8.GetBytes(Sdp(4)), Encoding.UTF8.GetBytes(Sdp(4))));
        Assert.False(SipSessionVersion.IsOlder(Encoding.UTF8.GetBytes(Sdp(5)), Encoding.UTF8.GetBytes(Sdp(4))));
        Assert.False(SipSessionVersion.IsOlder(Encoding.UTF8.GetBytes(Sdp(3)), Encoding.UTF8.GetBytes(Ours(4))));
        Assert.False(SipSessionVersion.IsOlder("no sdp"u8, Encoding.UTF8.GetBytes(Sdp(4))));
    }

    private static async Task<SipCSeq?> HangUpCSeqAsync(EndpointHarness h, SipDialog dialog)
    {
        h.Sent();
        _ = dialog.HangUpAsync();
        await Task.Yield();
        return Assert.IsType<SipRequest>(Assert.Single(h.Sent())).CSeq;
    }
}
