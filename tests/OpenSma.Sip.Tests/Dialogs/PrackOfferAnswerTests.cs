using System.Globalization;
using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>Offer/answer carried by PRACK (RFC 3262 §5, RFC 6337 §3.1) on the UAS side.</summary>
public sealed class PrackOfferAnswerTests
{
    private static (EndpointHarness H, SipDialog Dialog) Incoming(string offer)
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        h.Receive(EndpointHarness.Invite(body: offer, extra: "Supported: 100rel\r\n"));
        h.Sent();
        return (h, Assert.Single(h.Calls));
    }

    private static string Prack(string tag, long rseq, int cseq, string branch, string body = "") =>
        EndpointHarness.InDialog("PRACK", tag, cseq, branch, contentType: body.Length > 0 ? "application/sdp" : "", body: body)
            .Replace("Max-Forwards", $"RAck: {rseq.ToString(CultureInfo.InvariantCulture)} 1 INVITE\r\nMax-Forwards", StringComparison.Ordinal);

    private static (string Tag, long RSeq) Reliable(EndpointHarness h, int status)
    {
        var provisional = h.SentResponse(status);
        return (provisional.To!.Tag!, long.Parse(provisional.Headers.Get("RSeq")!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Prack_AnswerToOfferInReliable183_Answered200AndReportedAsEarlyAnswer()
    {
        var (h, dialog) = Incoming(offer: "");
        var acked = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes("v=0 our offer\r\n"), "application/sdp");
        var (tag, rseq) = Reliable(h, 183);

        h.Receive(Prack(tag, rseq, 2, "z9hG4bK-prack1", body: "v=0 their answer\r\n"));
        var ok = h.SentResponse(200);
        Assert.Equal("PRACK", ok.CSeq!.Value.Method);
        Assert.True(ok.Body.IsEmpty);
        Assert.True(UasDialogTests.Completed(acked));

        var answer = Assert.IsType<SipEarlyAnswerReceived>(Assert.Single(EndpointHarness.Drain(dialog)));
        Assert.Equal("v=0 their answer\r\n", Encoding.UTF8.GetString(answer.Prack.Body.Span));
        Assert.Equal("application/sdp", answer.Prack.ContentType);
    }

    [Fact]
    public void Prack_NewOfferAfterExchange_GoesToApplicationWhichAnswersIn200()
    {
        var (h, dialog) = Incoming(offer: "v=0 their offer\r\n");
        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes("v=0 our answer\r\n"), "application/sdp");
        var (tag, rseq) = Reliable(h, 183);

        h.Receive(Prack(tag, rseq, 2, "z9hG4bK-prack1", body: "v=0 their second offer\r\n"));
        Assert.Empty(h.Sent());
        var request = Assert.IsType<SipDialogRequestReceived>(Assert.Single(EndpointHarness.Drain(dialog))).Request;
        Assert.Equal("PRACK", request.Method);
        request.Respond(200, Encoding.UTF8.GetBytes("v=0 our second answer\r\n"), "application/sdp");
        var ok = h.SentResponse(200);
        Assert.Equal("v=0 our second answer\r\n", Encoding.UTF8.GetString(ok.Body.Span));

        // The reliable provisional counts as acknowledged: no retransmission.
        h.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(h.Sent(), m => m is SipResponse { StatusCode: 183 });
    }

    [Fact]
    public void Prack_OfferWhileInviteOfferUnanswered_Answered491()
    {
        var (h, dialog) = Incoming(offer: "v=0 their offer\r\n");
        _ = dialog.RingReliablyAsync(180);
        var (tag, rseq) = Reliable(h, 180);

        h.Receive(Prack(tag, rseq, 2, "z9hG4bK-prack1", body: "v=0 another offer\r\n"));
        Assert.Equal("PRACK", h.SentResponse(491).CSeq!.Value.Method);
        Assert.Empty(EndpointHarness.Drain(dialog));
    }

    [Fact]
    public void Prack_WithoutBodyAfterReliableAnswer_Answered200ByStack()
    {
        var (h, dialog) = Incoming(offer: "v=0 their offer\r\n");
        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes("v=0 our answer\r\n"), "application/sdp");
        var (tag, rseq) = Reliable(h, 183);

        h.Receive(Prack(tag, rseq, 2, "z9hG4bK-prack1"));
        Assert.Equal("PRACK", h.SentResponse(200).CSeq!.Value.Method);
        Assert.Empty(EndpointHarness.Drain(dialog));
    }

    [Fact]
    public void Answer_AfterOfferAnsweredInPrack_IsSentAndConfirmedByAck()
    {
        var (h, dialog) = Incoming(offer: "");
        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes("v=0 our offer\r\n"), "application/sdp");
        var (tag, rseq) = Reliable(h, 183);
        h.Receive(Prack(tag, rseq, 2, "z9hG4bK-prack1", body: "v=0 their answer\r\n"));
        h.Sent();

        var answered = dialog.AnswerAsync(Encoding.UTF8.GetBytes("v=0 our offer\r\n"), "application/sdp");
        Assert.Equal("INVITE", h.SentResponse(200).CSeq!.Value.Method);
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        Assert.True(UasDialogTests.Completed(answered));
    }
}
