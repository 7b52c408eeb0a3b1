using System.Globalization;
using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>
/// UPDATE from the callee in our early dialog as the caller (RFC 3311 §5.2, RFC 3262 §5, RFC 6337
/// §3.1): one early dialog per To-tag, answered by the same hook as a new offer in a later reliable
/// provisional; the confirmed dialog keeps the session the UPDATE negotiated.
/// </summary>
public sealed class UacEarlyUpdateTests
{
    private const string CalleeContact = "<sip:callee@192.0.2.20:5071>";

    private static string Sdp(int version, string codec = "0", string user = "peer") =>
        $"v=0\r\no={user} 42 {version.ToString(CultureInfo.InvariantCulture)} IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 40000 RTP/AVP {codec}\r\n";

    private static string Ours(int version, string codec = "0") => Sdp(version, codec, "us");

    private static SipInviteOptions Options(Func<SipMessage, SipBody?>? answerEarlyOffer, bool withOffer = true, Func<SipResponse, SipBody?>? answerOffer = null) => new()
    {
        Target = SipUri.Parse("sip:+15559870000@192.0.2.20:5070"),
        From = SipNameAddress.Parse("<sip:+15551230000@192.0.2.1>"),
        Body = withOffer ? Encoding.UTF8.GetBytes(Ours(1)) : default,
        ContentType = withOffer ? "application/sdp" : null,
        AnswerEarlyOffer = answerEarlyOffer,
        AnswerOffer = answerOffer,
    };

    private static SipResponse Reply(SipRequest invite, int code, string? body, long? rseq = null, string tag = "callee1", string? contact = CalleeContact)
    {
        var response = SipResponses.Create(invite, code, toTag: tag);
        if (rseq is { } number)
        {
            response.Headers.Add("Require", "100rel");
            response.Headers.Add("RSeq", number.ToString(CultureInfo.InvariantCulture));
        }

        if (contact is not null)
        {
            response.Headers.Add("Contact", contact);
        }

        if (body is not null)
        {
            response.Headers.Add("Content-Type", "application/sdp");
            response.Body = Encoding.UTF8.GetBytes(body);
        }

        return response;
    }

    /// <summary>A 2xx that makes us the session refresher and does not allow UPDATE: the refresh at 45 s is a re-INVITE offering our last description.</summary>
    private static SipResponse Answer(SipRequest invite, string? body, string tag = "callee1", string? contact = CalleeContact)
    {
        var ok = Reply(invite, 200, body, tag: tag, contact: contact);
        ok.Headers.Add("Session-Expires", "90;refresher=uac");
        ok.Headers.Add("Allow", "INVITE, ACK, BYE, CANCEL");
        return ok;
    }

    /// <summary>An UPDATE from the callee in the early dialog named by <paramref name="calleeTag"/>.</summary>
    private static string Update(SipRequest invite, int cseq, string branch, string? body = null, string calleeTag = "callee1", string contact = CalleeContact) =>
        $"UPDATE {invite.Contacts[0].Uri} SIP/2.0\r\n" +
        $"Via: SIP/2.0/UDP 192.0.2.20:5070;branch={branch};rport\r\n" +
        $"From: {invite.Headers.Get("To")};tag={calleeTag}\r\n" +
        $"To: {invite.Headers.Get("From")}\r\n" +
        $"Call-ID: {invite.CallId}\r\n" +
        $"CSeq: {cseq.ToString(CultureInfo.InvariantCulture)} UPDATE\r\n" +
        $"Contact: {contact}\r\n" +
        "Max-Forwards: 70\r\n" +
        (body is null ? string.Empty : "Content-Type: application/sdp\r\n") +
        $"Content-Length: {Encoding.UTF8.GetByteCount(body ?? string.Empty)}\r\n\r\n" + body;

    private static SipResponse UpdateResponse(EndpointHarness h)
    {
        var response = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal("UPDATE", response.CSeq!.Value.Method);
        return response;
    }

    /// <summary>The body of the session refresh the confirmed dialog sends at half its 90 s interval.</summary>
    private static string RefreshOffer(EndpointHarness h)
    {
        h.Sent();
        h.Time.Advance(TimeSpan.FromSeconds(45));
        // (Unanswered PRACKs are retransmitted meanwhile; only the refresh matters here.)
        var refresh = Assert.Single(h.Sent().OfType<SipRequest>(), r => r.Method == "INVITE");
        return Encoding.UTF8.GetString(refresh.Body.Span);
    }

    private static async Task<SipInviteResult> AnsweredAsync(Task<SipInviteResult> call)
    {
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(result.IsAnswered);
        return result;
    }

    [Fact]
    public async Task OfferInUpdateAfterTheReliableAnswer_IsAnsweredIn200_AndTheConfirmedDialogKeepsThatSession()
    {
        var h = new EndpointHarness();
        var offers = new List<(string Method, string Body)>();
        var call = h.Endpoint.InviteAsync(Options(m =>
        {
            offers.Add((((SipRequest)m).Method, Encoding.UTF8.GetString(m.Body.Span)));
            return new SipBody(Encoding.UTF8.GetBytes(Ours(2, "8")), "application/sdp");
        }));
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, 183, Sdp(1), rseq: 10));
        Assert.Equal("PRACK", Assert.IsType<SipRequest>(Assert.Single(h.Sent())).Method);

        h.Receive(Update(invite, 1, "z9hG4bK-upd1", Sdp(2, "8")));
        var ok = UpdateResponse(h);
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal("application/sdp", ok.ContentType);
        Assert.Equal(Ours(2, "8"), Encoding.UTF8.GetString(ok.Body.Span));
        Assert.NotNull(ok.Headers.Get("Contact"));
        Assert.Equal([("UPDATE", Sdp(2, "8"))], offers);

        // The 2xx repeats the callee's latest description: nothing to answer, nothing in the ACK.
        h.Receive(Answer(invite, Sdp(2, "8")));
        var ack = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal(("ACK", true), (ack.Method, ack.Body.IsEmpty));
        var result = await AnsweredAsync(call);
        Assert.Equal(Sdp(2, "8"), Encoding.UTF8.GetString(result.AnswerBody.Span));
        Assert.Equal(SipDialogState.Confirmed, result.Dialog!.State);
        Assert.Equal(Ours(2, "8"), RefreshOffer(h));
        Assert.Single(offers);
    }

    [Fact]
    public async Task TheAnswerTo2xxRepeatingAnOlderVersion_KeepsTheSessionTheUpdateNegotiated()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options(_ => new SipBody(Encoding.UTF8.GetBytes(Ours(2, "8")), "application/sdp")));
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, 183, Sdp(1), rseq: 10));
        h.Sent();
        h.Receive(Update(invite, 1, "z9hG4bK-upd1", Sdp(2, "8")));
        Assert.Equal(200, UpdateResponse(h).StatusCode);

        // The callee's 2xx carries its 183's description (version 1) again.
        h.Receive(Answer(invite, Sdp(1)));
        var result = await AnsweredAsync(call);
        Assert.Equal(Sdp(1), Encoding.UTF8.GetString(result.FinalResponse.Body.Span));
        Assert.Equal(Sdp(2, "8"), Encoding.UTF8.GetString(result.AnswerBody.Span));
        Assert.Equal(Ours(2, "8"), RefreshOffer(h));
    }

    [Fact]
    public async Task UnusableOffer_Gets488_AndTheOldSessionStays()
    {
        var h = new EndpointHarness();
        var asked = 0;
        var call = h.Endpoint.InviteAsync(Options(_ =>
        {
            asked++;
            return null;
        }));
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, 183, Sdp(1), rseq: 10));
        h.Sent();

        h.Receive(Update(invite, 1, "z9hG4bK-upd1", Sdp(2, "99")));
        var refused = UpdateResponse(h);
        Assert.Equal(488, refused.StatusCode);
        Assert.True(refused.Body.IsEmpty);
        Assert.Equal(1, asked);

        // The refused description is not the callee's session: the 2xx with version 1 counts.
        h.Receive(Answer(invite, Sdp(1)));
        var result = await AnsweredAsync(call);
        Assert.Equal(Sdp(1), Encoding.UTF8.GetString(result.AnswerBody.Span));
        Assert.Equal(Ours(1), RefreshOffer(h));
    }

    [Fact]
    public void OfferInUpdateWhileOurInviteOfferIsUnanswered_Gets491_AndAfterTheReliableAnswerIsTaken()
    {
        var h = new EndpointHarness();
        var asked = 0;
        _ = h.Endpoint.InviteAsync(Options(_ =>
        {
            asked++;
            return new SipBody(Encoding.UTF8.GetBytes(Ours(2, "8")), "application/sdp");
        }));
        var invite = (SipRequest)Assert.Single(h.Sent());

        // An unreliable 183 answers only as a preview (RFC 3262): our offer is still outstanding.
        h.Receive(Reply(invite, 183, Sdp(1)));
        h.Receive(Update(invite, 1, "z9hG4bK-upd1", Sdp(2, "8")));
        Assert.Equal(491, UpdateResponse(h).StatusCode);
        Assert.Equal(0, asked);

        h.Receive(Reply(invite, 183, Sdp(1), rseq: 10));
        h.Sent();
        h.Receive(Update(invite, 2, "z9hG4bK-upd2", Sdp(2, "8")));
        Assert.Equal(200, UpdateResponse(h).StatusCode);
        Assert.Equal(1, asked);
    }

    [Fact]
    public void OfferInUpdateBeforeWeAnsweredTheCalleesOffer_Gets500WithRetryAfter()
    {
        var h = new EndpointHarness();
        var asked = 0;
        _ = h.Endpoint.InviteAsync(Options(
            _ =>
            {
                asked++;
                return new SipBody(Encoding.UTF8.GetBytes(Ours(3, "8")), "application/sdp");
            },
            withOffer: false,
            answerOffer: _ => new SipBody(Encoding.UTF8.GetBytes(Ours(1)), "application/sdp")));
        var invite = (SipRequest)Assert.Single(h.Sent());
        Assert.True(invite.Body.IsEmpty);

        // The callee's offer in an unreliable 183: our answer is owed (in a PRACK or the ACK).
        h.Receive(Reply(invite, 183, Sdp(1)));
        h.Receive(Update(invite, 1, "z9hG4bK-upd1", Sdp(2, "8")));
        var pending = UpdateResponse(h);
        Assert.Equal(500, pending.StatusCode);
        var retryAfter = int.Parse(pending.Headers.Get("Retry-After")!, CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 0, 10);
        Assert.Equal(0, asked);

        // The offer again, reliably: the PRACK answers it, and then the UPDATE is a new offer.
        h.Receive(Reply(invite, 183, Sdp(1), rseq: 10));
        var prack = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal(Ours(1), Encoding.UTF8.GetString(prack.Body.Span));
        h.Receive(Update(invite, 2, "z9hG4bK-upd2", Sdp(2, "8")));
        var ok = UpdateResponse(h);
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal(Ours(3, "8"), Encoding.UTF8.GetString(ok.Body.Span));
        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task UpdateWithoutBody_Gets200_RefreshesTheTarget_AndCSeqMustRise()
    {
        var h = new EndpointHarness();
        var asked = 0;
        var call = h.Endpoint.InviteAsync(Options(_ =>
        {
            asked++;
            return null;
        }));
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, 180, null));

        h.Receive(Update(invite, 5, "z9hG4bK-upd1", contact: "<sip:moved@192.0.2.20:5072>"));
        var ok = UpdateResponse(h);
        Assert.Equal(200, ok.StatusCode);
        Assert.True(ok.Body.IsEmpty);
        Assert.NotNull(ok.Headers.Get("Contact"));

        // CSeq as in any dialog (RFC 3261 §12.2.2): a lower number is out of order.
        h.Receive(Update(invite, 4, "z9hG4bK-upd2"));
        var stale = UpdateResponse(h);
        Assert.Equal(500, stale.StatusCode);
        Assert.Equal(0, asked);

        // Other requests in the early dialog are still not ours to take.
        h.Receive(Update(invite, 6, "z9hG4bK-msg").Replace("UPDATE", "MESSAGE", StringComparison.Ordinal));
        Assert.Equal(481, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);

        // A 2xx without Contact leaves the target the UPDATE set: the BYE goes there.
        h.Receive(Answer(invite, Sdp(1), contact: null));
        var dialog = (await AnsweredAsync(call)).Dialog!;
        Assert.Equal("sip:moved@192.0.2.20:5072", dialog.RemoteTarget.ToString());
        h.Sent();
        _ = dialog.HangUpAsync();
        var bye = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("BYE", bye.Method);
        Assert.Equal("sip:moved@192.0.2.20:5072", bye.RequestUri.ToString());
    }

    [Fact]
    public async Task ForkedCall_UpdateInOneEarlyDialog_LeavesTheOtherAlone()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options(_ => new SipBody(Encoding.UTF8.GetBytes(Ours(2, "8")), "application/sdp")));
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, 183, Sdp(1), rseq: 10, tag: "callee1"));
        h.Receive(Reply(invite, 183, Sdp(1, user: "fork"), rseq: 20, tag: "callee2", contact: "<sip:fork@192.0.2.20:5073>"));
        Assert.Equal(2, h.Sent().OfType<SipRequest>().Count(r => r.Method == "PRACK"));

        h.Receive(Update(invite, 7, "z9hG4bK-upd1", Sdp(2, "8"), calleeTag: "callee1"));
        Assert.Equal(200, UpdateResponse(h).StatusCode);

        // The other fork's CSeq space and offer/answer state are its own.
        h.Receive(Update(invite, 1, "z9hG4bK-upd2", calleeTag: "callee2", contact: "<sip:fork@192.0.2.20:5073>"));
        Assert.Equal(200, UpdateResponse(h).StatusCode);

        h.Receive(Answer(invite, Sdp(1, user: "fork"), tag: "callee2", contact: "<sip:fork@192.0.2.20:5073>"));
        var result = await AnsweredAsync(call);
        Assert.Equal("callee2", result.Dialog!.RemoteTag);
        Assert.Equal(Sdp(1, user: "fork"), Encoding.UTF8.GetString(result.AnswerBody.Span));
        Assert.Equal(Ours(1), RefreshOffer(h));

        // The first fork's early dialog ended with the 2xx from the other.
        h.Receive(Update(invite, 8, "z9hG4bK-upd3", Sdp(3, "0"), calleeTag: "callee1"));
        Assert.Equal(481, UpdateResponse(h).StatusCode);
    }

    [Fact]
    public async Task FailedCall_EndsItsEarlyDialogs()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options(_ => null));
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, 180, null));
        h.Receive(Reply(invite, 486, null));
        Assert.Equal(486, (await call.WaitAsync(TimeSpan.FromSeconds(10))).FinalResponse.StatusCode);
        h.Sent();

        h.Receive(Update(invite, 1, "z9hG4bK-upd1"));
        Assert.Equal(481, UpdateResponse(h).StatusCode);
    }
}
