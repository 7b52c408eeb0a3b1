using System.Globalization;
using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>Offer/answer carried by PRACK (RFC 3262 §5, RFC 6337 §3.1) on the UAS side.</summary>
public sealed class PrackOfferAnswerTests
{
    [Fact]
    public void Prack_AnswerToOfferInReliable183_Answered200AndReportedAsEarlyAnswer()
    {
        var (h, dialog) = EndpointHarness.IncomingWith100rel(offer: "");
        var acked = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes("v=0 our offer\r\n"), "application/sdp");
        var (tag, rseq) = h.SentReliable(183);

        h.Receive(EndpointHarness.Prack(tag, rseq, 2, "z9hG4bK-prack1", body: "v=0 their answer\r\n"));
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
        var (h, dialog) = EndpointHarness.IncomingWith100rel(offer: "v=0 their offer\r\n");
        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes("v=0 our answer\r\n"), "application/sdp");
        var (tag, rseq) = h.SentReliable(183);

        h.Receive(EndpointHarness.Prack(tag, rseq, 2, "z9hG4bK-prack1", body: "v=0 their second offer\r\n"));
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
        var (h, dialog) = EndpointHarness.IncomingWith100rel(offer: "v=0 their offer\r\n");
        _ = dialog.RingReliablyAsync(180);
        var (tag, rseq) = h.SentReliable(180);

        h.Receive(EndpointHarness.Prack(tag, rseq, 2, "z9hG4bK-prack1", body: "v=0 another offer\r\n"));
        Assert.Equal("PRACK", h.SentResponse(491).CSeq!.Value.Method);
        Assert.Empty(EndpointHarness.Drain(dialog));
    }

    [Fact]
    public void Prack_WithoutBodyAfterReliableAnswer_Answered200ByStack()
    {
        var (h, dialog) = EndpointHarness.IncomingWith100rel(offer: "v=0 their offer\r\n");
        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes("v=0 our answer\r\n"), "application/sdp");
        var (tag, rseq) = h.SentReliable(183);

        h.Receive(EndpointHarness.Prack(tag, rseq, 2, "z9hG4bK-prack1"));
        Assert.Equal("PRACK", h.SentResponse(200).CSeq!.Value.Method);
        Assert.Empty(EndpointHarness.Drain(dialog));
    }

    [Fact]
    public void Answer_AfterOfferAnsweredInPrack_IsSentAndConfirmedByAck()
    {
        var (h, dialog) = EndpointHarness.IncomingWith100rel(offer: "");
        _ = dialog.RingReliablyAsync(183, Encoding.UTF8.GetBytes("v=0 our offer\r\n"), "application/sdp");
        var (tag, rseq) = h.SentReliable(183);
        h.Receive(EndpointHarness.Prack(tag, rseq, 2, "z9hG4bK-prack1", body: "v=0 their answer\r\n"));
        h.Sent();

        var answered = dialog.AnswerAsync(Encoding.UTF8.GetBytes("v=0 our offer\r\n"), "application/sdp");
        Assert.Equal("INVITE", h.SentResponse(200).CSeq!.Value.Method);
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        Assert.True(UasDialogTests.Completed(answered));
    }
}
