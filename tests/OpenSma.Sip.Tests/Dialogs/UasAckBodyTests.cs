using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>Offer in our 2xx, answer in the ACK (RFC 3261 §13.2.1, RFC 3264): the ACK reaches the application.</summary>
public sealed class UasAckBodyTests
{
    private static Task<T> Pending<T>(Task<T> task)
    {
        Assert.False(task.IsCompleted, "the task should still be waiting");
        return task;
    }

    private static (EndpointHarness H, SipDialog Dialog, string Tag) OfferlessCallAnswered()
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        h.Receive(EndpointHarness.Invite());
        var dialog = Assert.Single(h.Calls);
        Assert.True(dialog.InitialInvite.Body.IsEmpty);
        _ = dialog.AnswerAsync(Encoding.UTF8.GetBytes("v=0 offer\r\n"), "application/sdp");
        var ok = h.SentResponse(200);
        Assert.Equal("v=0 offer\r\n", Encoding.UTF8.GetString(ok.Body.Span));
        return (h, dialog, ok.To!.Tag!);
    }

    [Fact]
    public async Task InitialAck_OfferlessInvite_CompletesWithAckCarryingAnswer()
    {
        var (h, dialog, tag) = OfferlessCallAnswered();
        var ack = Pending(dialog.InitialAck);
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1", contentType: "application/sdp", body: "v=0 answer\r\n"));
        var received = await ack.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(received);
        Assert.Equal("ACK", received.Method);
        Assert.Equal("application/sdp", received.ContentType);
        Assert.Equal("v=0 answer\r\n", Encoding.UTF8.GetString(received.Body.Span));
        var confirmed = Assert.IsType<SipDialogConfirmed>(Assert.Single(EndpointHarness.Drain(dialog)));
        Assert.Same(received, confirmed.Ack);
    }

    [Fact]
    public async Task InitialAck_ReadAfterAckArrived_StillHasIt()
    {
        var (h, dialog, tag) = OfferlessCallAnswered();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1", contentType: "application/sdp", body: "answer"));
        var received = await dialog.InitialAck.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("answer", Encoding.UTF8.GetString(received!.Body.Span));
    }

    [Fact]
    public async Task InitialAck_InviteWithOffer_AskedBeforeGetsTheAck_ButTheDialogDoesNotKeepIt()
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        h.Receive(EndpointHarness.Invite(body: "v=0 offer\r\n"));
        var dialog = Assert.Single(h.Calls);
        var early = Pending(dialog.InitialAck);
        _ = dialog.AnswerAsync(Encoding.UTF8.GetBytes("v=0 answer\r\n"), "application/sdp");
        var tag = h.SentResponse(200).To!.Tag!;
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        var received = await early.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ACK", received!.Method);
        Assert.Same(received, Assert.IsType<SipDialogConfirmed>(Assert.Single(EndpointHarness.Drain(dialog))).Ack);

        // Another dialog, read only after its ACK: the ACK answered nothing, so it was not kept.
        h.Receive(EndpointHarness.Invite(branch: "z9hG4bK-inv2", callId: "call-2", body: "v=0 offer\r\n"));
        var late = h.Calls[1];
        _ = late.AnswerAsync(Encoding.UTF8.GetBytes("v=0 answer\r\n"), "application/sdp");
        var lateTag = h.SentResponse(200).To!.Tag!;
        h.Receive(EndpointHarness.InDialog("ACK", lateTag, 1, "z9hG4bK-ack2", callId: "call-2"));
        Assert.Equal(SipDialogState.Confirmed, late.State);
        Assert.NotNull(Assert.IsType<SipDialogConfirmed>(Assert.Single(EndpointHarness.Drain(late))).Ack);
        Assert.Null(await late.InitialAck.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task InitialAck_OfferlessInvite_ReadLateTwice_StillHasIt()
    {
        var (h, dialog, tag) = OfferlessCallAnswered();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1", contentType: "application/sdp", body: "answer"));
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1", contentType: "application/sdp", body: "answer"));
        var first = await dialog.InitialAck.WaitAsync(TimeSpan.FromSeconds(10));
        var second = await dialog.InitialAck.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(first, second);
        Assert.Equal("answer", Encoding.UTF8.GetString(second!.Body.Span));
        Assert.Single(EndpointHarness.Drain(dialog));
    }

    [Fact]
    public async Task InitialAck_NeverArrives_CompletesNullAndByeIsSent()
    {
        var (h, dialog, _) = OfferlessCallAnswered();
        var ack = Pending(dialog.InitialAck);
        h.Time.Advance(TimeSpan.FromSeconds(33));
        Assert.Null(await ack.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(h.Sent(), m => m is SipRequest { Method: "BYE" });
    }

    [Fact]
    public async Task InitialAck_CallerCancels_CompletesNull()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.Ring());
        h.Receive(EndpointHarness.Invite());
        var ack = Pending(Assert.Single(h.Calls).InitialAck);
        h.Receive(EndpointHarness.Invite().Replace("INVITE sip", "CANCEL sip", StringComparison.Ordinal).Replace("1 INVITE", "1 CANCEL", StringComparison.Ordinal));
        Assert.Null(await ack.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task<(EndpointHarness H, SipDialog Dialog, string Tag, SipIncomingRequest ReInvite)> OfferlessReInvite()
    {
        var (h, dialog, tag) = OfferlessCallAnswered();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1", contentType: "application/sdp", body: "v=0 answer\r\n"));
        EndpointHarness.Drain(dialog);
        h.Sent();
        h.Receive(EndpointHarness.InDialog("INVITE", tag, 2, "z9hG4bK-reinv1"));
        var e = await dialog.Events.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var reInvite = Assert.IsType<SipDialogRequestReceived>(e).Request;
        Assert.Equal("INVITE", reInvite.Method);
        Assert.True(reInvite.Request.Body.IsEmpty);
        return (h, dialog, tag, reInvite);
    }

    [Fact]
    public async Task ReInviteAck_OfferlessReInvite_CompletesWithAckCarryingAnswer()
    {
        var (h, dialog, tag, reInvite) = await OfferlessReInvite();
        var ack = Pending(reInvite.Ack);
        reInvite.Respond(200, Encoding.UTF8.GetBytes("v=0 offer 2\r\n"), "application/sdp");
        Assert.Equal("v=0 offer 2\r\n", Encoding.UTF8.GetString(h.SentResponse(200).Body.Span));

        h.Receive(EndpointHarness.InDialog("ACK", tag, 2, "z9hG4bK-ack2", contentType: "application/sdp", body: "v=0 answer 2\r\n"));
        var received = await ack.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("v=0 answer 2\r\n", Encoding.UTF8.GetString(received!.Body.Span));
        Assert.Equal(new SipCSeq(2, "ACK"), received.CSeq);

        // The ACK stopped the 2xx retransmissions.
        h.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(h.Sent());
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
    }

    [Fact]
    public async Task ReInviteAck_AckForInitialInviteRepeated_DoesNotCompleteIt()
    {
        var (h, _, tag, reInvite) = await OfferlessReInvite();
        reInvite.Respond(200, Encoding.UTF8.GetBytes("offer"), "application/sdp");
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1", contentType: "application/sdp", body: "v=0 answer\r\n"));
        Assert.False(reInvite.Ack.IsCompleted);
    }

    [Fact]
    public async Task ReInviteAck_AnsweredWithFailure_CompletesNull()
    {
        var (_, _, _, reInvite) = await OfferlessReInvite();
        reInvite.Respond(488);
        Assert.Null(await reInvite.Ack.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ReInviteAck_NeverArrives_CompletesNullAndEndsDialogWithBye()
    {
        var (h, dialog, _, reInvite) = await OfferlessReInvite();
        reInvite.Respond(200, Encoding.UTF8.GetBytes("offer"), "application/sdp");
        h.Sent();
        h.Time.Advance(TimeSpan.FromSeconds(33));
        Assert.Null(await reInvite.Ack.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(h.Sent(), m => m is SipRequest { Method: "BYE" });
        Assert.Equal(SipDialogState.Terminated, dialog.State);
        Assert.Equal(SipEndReason.AckTimeout, Assert.IsType<SipDialogTerminated>(EndpointHarness.Drain(dialog).Last()).Reason);
    }

    [Fact]
    public async Task Ack_NonInviteRequest_IsAlreadyNull()
    {
        var (h, dialog, tag) = OfferlessCallAnswered();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        EndpointHarness.Drain(dialog);
        h.Receive(EndpointHarness.InDialog("MESSAGE", tag, 2, "z9hG4bK-message1", contentType: "text/plain", body: "hi"));
        var request = Assert.IsType<SipDialogRequestReceived>(Assert.Single(EndpointHarness.Drain(dialog))).Request;
        Assert.True(request.Ack.IsCompleted);
        Assert.Null(await request.Ack);
    }
}
