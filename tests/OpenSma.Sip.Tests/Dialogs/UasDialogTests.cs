using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

public sealed class UasDialogTests
{
    private static (EndpointHarness H, SipDialog Dialog, string OurTag, Task<bool> Answered) AnsweredCall()
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n"));
        var dialog = Assert.Single(h.Calls);
        dialog.Ring();
        var answered = dialog.AnswerAsync(Encoding.UTF8.GetBytes("v=0 answer\r\n"), "application/sdp");
        var ok = h.SentResponse(200);
        return (h, dialog, ok.To!.Tag!, answered);
    }

    /// <summary>The result of a task the fake clock or an inbound message has already completed.</summary>
    internal static T Completed<T>(Task<T> task)
    {
        Assert.True(task.IsCompleted, "the task should have completed synchronously");
        return task.GetAwaiter().GetResult();
    }

    [Fact]
    public void Invite_NoApplication_Answers100Then404()
    {
        var h = new EndpointHarness();
        h.Receive(EndpointHarness.Invite());
        var sent = h.Sent().Cast<SipResponse>().Select(r => r.StatusCode);
        Assert.Equal([100, 404], sent);
    }

    [Fact]
    public void Answer_AckArrives_CompletesTrueAndConfirms()
    {
        var (h, dialog, tag, answered) = AnsweredCall();
        Assert.False(answered.IsCompleted);
        Assert.Equal("v=0\r\n", Encoding.UTF8.GetString(dialog.InitialInvite.Body.Span));
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        Assert.True(Completed(answered));
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
        Assert.IsType<SipDialogConfirmed>(Assert.Single(EndpointHarness.Drain(dialog)));
    }

    [Fact]
    public void Answer_Response_CarriesContactRecordRouteAndBody()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.AnswerAsync(Encoding.UTF8.GetBytes("sdp"), "application/sdp"));
        h.Receive(EndpointHarness.Invite());
        var ok = h.SentResponse(200);
        Assert.Equal("sip:+15551230000@192.0.2.1:5060", ok.Contacts.Single().Uri.ToString());
        Assert.Equal("<sip:proxy.example.com;lr>", ok.Headers.Get("Record-Route"));
        Assert.Equal("application/sdp", ok.ContentType);
        Assert.Equal("sdp", Encoding.UTF8.GetString(ok.Body.Span));
    }

    [Fact]
    public void RemoteBye_Answers200AndEndsDialog()
    {
        var (h, dialog, tag, _) = AnsweredCall();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        h.Sent();
        h.Receive(EndpointHarness.InDialog("BYE", tag, 2, "z9hG4bK-bye1"));
        Assert.Equal(200, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        Assert.Equal(SipDialogState.Terminated, dialog.State);
        var ended = Assert.IsType<SipDialogTerminated>(EndpointHarness.Drain(dialog).Last());
        Assert.Equal(SipEndReason.RemoteHangUp, ended.Reason);
        Assert.Equal(0, h.Endpoint.UserAgent.DialogCount);
    }

    [Fact]
    public async Task HangUp_Confirmed_SendsByeOnRouteSetToRemoteTarget()
    {
        var (h, dialog, tag, _) = AnsweredCall();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        h.Sent();
        var hangUp = dialog.HangUpAsync();
        var (bye, _) = Assert.Single(h.Transport.TakeSent());
        var request = Assert.IsType<SipRequest>(bye);
        Assert.Equal("BYE", request.Method);
        Assert.Equal("sip:+15559870000@192.0.2.20:5070", request.RequestUri.ToString());
        Assert.Equal("<sip:proxy.example.com;lr>", request.Headers.Get("Route"));
        Assert.Equal(tag, request.From!.Tag);
        Assert.Equal("caller1", request.To!.Tag);
        Assert.Equal(new SipCSeq(1, "BYE"), request.CSeq);
        h.Receive(SipResponses.Create(request, 200));
        await hangUp.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(SipEndReason.LocalHangUp, Assert.IsType<SipDialogTerminated>(EndpointHarness.Drain(dialog).Last()).Reason);
    }

    [Fact]
    public void Cancel_BeforeAnswer_Sends487AndEndsCancelled()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.Ring());
        h.Receive(EndpointHarness.Invite());
        h.Sent();
        h.Receive(EndpointHarness.Invite().Replace("INVITE sip", "CANCEL sip", StringComparison.Ordinal).Replace("1 INVITE", "1 CANCEL", StringComparison.Ordinal));
        var codes = h.Sent().Cast<SipResponse>().Select(r => (r.StatusCode, r.CSeq!.Value.Method)).ToList();
        Assert.Equal([(200, "CANCEL"), (487, "INVITE")], codes);
        var dialog = Assert.Single(h.Calls);
        Assert.Equal(SipEndReason.Cancelled, Assert.IsType<SipDialogTerminated>(EndpointHarness.Drain(dialog).Last()).Reason);
        Assert.False(Completed(dialog.AnswerAsync()));
    }

    [Fact]
    public void AfterTheAck_CancelAndInviteCopiesChangeNothing_AndTheCallStillEndsCleanly()
    {
        var (h, dialog, tag, answered) = AnsweredCall();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        Assert.True(Completed(answered));
        Assert.True(dialog.IsAnswered);
        EndpointHarness.Drain(dialog);
        h.Sent();

        // The dialog let go of the INVITE transaction at the ACK; the layer still absorbs copies.
        h.Receive(EndpointHarness.Invite());
        h.Receive(EndpointHarness.Invite().Replace("INVITE sip", "CANCEL sip", StringComparison.Ordinal).Replace("1 INVITE", "1 CANCEL", StringComparison.Ordinal));
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        Assert.DoesNotContain(h.Sent().OfType<SipResponse>(), r => r.StatusCode == 487 || r.CSeq!.Value.Method == "INVITE");
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
        Assert.Empty(EndpointHarness.Drain(dialog));

        h.Time.Advance(TimeSpan.FromSeconds(40));
        h.Receive(EndpointHarness.InDialog("BYE", tag, 2, "z9hG4bK-bye1"));
        Assert.Equal(200, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        Assert.Equal(SipEndReason.RemoteHangUp, Assert.IsType<SipDialogTerminated>(Assert.Single(EndpointHarness.Drain(dialog))).Reason);
        Assert.Equal(0, h.Endpoint.Statistics.Dialogs);
    }

    [Fact]
    public void Invite_SameRequestOnSecondBranch_Answered482AndReachesApplicationOnce()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.Ring());
        h.Receive(EndpointHarness.Invite(branch: "z9hG4bK-fork1"));
        h.Sent();
        h.Receive(EndpointHarness.Invite(branch: "z9hG4bK-fork2"));
        var merged = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal(482, merged.StatusCode);
        Assert.Equal("z9hG4bK-fork2", merged.TopVia!.Branch);
        Assert.NotNull(merged.To!.Tag);
        Assert.Single(h.Calls);

        // Its retransmission is absorbed by its own transaction: the 482 again, no new call.
        h.Receive(EndpointHarness.Invite(branch: "z9hG4bK-fork2"));
        Assert.Equal(482, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        Assert.Single(h.Calls);
    }

    [Fact]
    public void Invite_SameCSeqAfterFailureOnNewBranch_IsANewCall()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.Reject(486));
        h.Receive(EndpointHarness.Invite(branch: "z9hG4bK-try1"));
        h.Receive(EndpointHarness.Invite(branch: "z9hG4bK-try2"));
        Assert.Equal([100, 486, 100, 486], h.Sent().Cast<SipResponse>().Select(r => r.StatusCode));
        Assert.Equal(2, h.Calls.Count);
    }

    [Fact]
    public void Invite_Retransmitted_ReachesApplicationOnce()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.Ring());
        h.Receive(EndpointHarness.Invite());
        h.Receive(EndpointHarness.Invite());
        Assert.Single(h.Calls);
        Assert.Equal([100, 180, 180], h.Sent().Cast<SipResponse>().Select(r => r.StatusCode));
    }

    [Fact]
    public void Answer_AckNeverArrives_SendsByeAfter64T1()
    {
        var (h, dialog, _, answered) = AnsweredCall();
        h.Time.Advance(TimeSpan.FromSeconds(32));
        Assert.False(Completed(answered));
        var sent = h.Sent();
        Assert.Contains(sent, m => m is SipRequest { Method: "BYE" });
        Assert.Equal(SipEndReason.AckTimeout, Assert.IsType<SipDialogTerminated>(EndpointHarness.Drain(dialog).Last()).Reason);
    }

    [Theory]
    [InlineData("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', 160)]
    [InlineData("application/dtmf-relay", "Signal= #\r\n", '#', 250)]
    [InlineData("application/dtmf", "7", '7', 250)]
    public void Info_Dtmf_Answers200AndReportsDigit(string contentType, string body, char digit, int duration)
    {
        var (h, dialog, tag, _) = AnsweredCall();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        EndpointHarness.Drain(dialog);
        h.Sent();
        h.Receive(EndpointHarness.InDialog("INFO", tag, 2, "z9hG4bK-info1", contentType: contentType, body: body));
        Assert.Equal(200, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        Assert.Equal(new SipDtmfReceived(digit, duration), Assert.Single(EndpointHarness.Drain(dialog)));
    }

    [Fact]
    public void Info_WithABodyThatIsNotDtmf_Gets415_AndNeverReachesTheApplication()
    {
        var (h, dialog, tag, _) = AnsweredCall();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        EndpointHarness.Drain(dialog);
        h.Sent();
        h.Receive(EndpointHarness.InDialog("INFO", tag, 2, "z9hG4bK-info1", contentType: "text/plain", body: "hello"));
        var refused = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal(415, refused.StatusCode);
        Assert.Equal("application/dtmf-relay, application/dtmf", refused.Headers.Get("Accept"));
        Assert.Empty(EndpointHarness.Drain(dialog));
    }

    [Fact]
    public void ReInvite_ApplicationAnswers_SendsContactAndAbsorbsAck()
    {
        var (h, dialog, tag, _) = AnsweredCall();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        EndpointHarness.Drain(dialog);
        h.Sent();
        h.Receive(EndpointHarness.InDialog("INVITE", tag, 2, "z9hG4bK-reinv", contentType: "application/sdp", body: "hold"));
        var received = Assert.IsType<SipDialogRequestReceived>(Assert.Single(EndpointHarness.Drain(dialog)));
        Assert.Equal("hold", Encoding.UTF8.GetString(received.Request.Request.Body.Span));
        received.Request.Respond(200, Encoding.UTF8.GetBytes("held"), "application/sdp");
        var sent = h.Sent();
        var ok = sent.OfType<SipResponse>().Single(r => r.StatusCode == 200);
        Assert.Single(ok.Contacts);
        h.Receive(EndpointHarness.InDialog("ACK", tag, 2, "z9hG4bK-ack2"));
        h.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(h.Sent(), m => m is SipResponse);
    }

    [Fact]
    public void ReInvite_WhileOursIsPending_Answers491()
    {
        var (h, dialog, tag, _) = AnsweredCall();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        h.Sent();
        _ = dialog.SendRequestAsync("INVITE", Encoding.UTF8.GetBytes("offer"), "application/sdp");
        h.Sent();
        h.Receive(EndpointHarness.InDialog("INVITE", tag, 2, "z9hG4bK-glare"));
        Assert.Contains(h.Sent(), m => m is SipResponse { StatusCode: 491 });
    }

    [Fact]
    public async Task SendReInvite_Answered491_IsSentAgainWithinTwoSecondsThenSucceeds()
    {
        var (h, dialog, tag, _) = AnsweredCall();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        h.Sent();
        var reInvite = dialog.SendRequestAsync("INVITE", Encoding.UTF8.GetBytes("hold"), "application/sdp");
        var first = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        h.Receive(SipResponses.Create(first, 491));
        Assert.Equal("ACK", Assert.IsType<SipRequest>(Assert.Single(h.Sent())).Method);
        Assert.False(reInvite.IsCompleted);

        // We did not make the Call-ID (UAS), so §14.1 says 0 to 2 s.
        h.Time.Advance(TimeSpan.FromSeconds(2.01));
        var second = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("INVITE", second.Method);
        Assert.Equal(first.CSeq!.Value.Number + 1, second.CSeq!.Value.Number);
        Assert.Equal("hold", Encoding.UTF8.GetString(second.Body.Span));
        Assert.NotEqual(first.TopVia!.Branch, second.TopVia!.Branch);

        var ok = SipResponses.Create(second, 200);
        ok.Headers.Add("Contact", "<sip:+15559870000@192.0.2.20:5070>");
        h.Receive(ok);
        Assert.Equal(200, (await reInvite.WaitAsync(TimeSpan.FromSeconds(10))).StatusCode);
    }

    [Fact]
    public async Task SendReInvite_491EveryTime_Returns491AfterThreeRetries()
    {
        var (h, dialog, tag, _) = AnsweredCall();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        h.Sent();
        var reInvite = dialog.SendRequestAsync("INVITE", Encoding.UTF8.GetBytes("hold"), "application/sdp");
        // Counted by branch: a retry drawn with no delay goes out before the clock moves, so its
        // Timer A retransmission (same branch) can show up in the same round.
        var branches = new HashSet<string>();
        for (var round = 0; round < 10 && !reInvite.IsCompleted; round++)
        {
            foreach (var request in h.Sent().OfType<SipRequest>().Where(r => r.Method == "INVITE"))
            {
                branches.Add(request.TopVia!.Branch!);
                h.Receive(SipResponses.Create(request, 491));
            }

            h.Time.Advance(TimeSpan.FromSeconds(2.01));
        }

        Assert.Equal(491, (await reInvite.WaitAsync(TimeSpan.FromSeconds(10))).StatusCode);
        Assert.Equal(4, branches.Count);
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
    }

    [Fact]
    public void InDialogRequest_UnknownDialog_Answers481()
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        h.Receive(EndpointHarness.InDialog("BYE", "nosuchtag", 2, "z9hG4bK-x"));
        Assert.Equal(481, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
    }

    [Fact]
    public void Invite_OutOfOrderCSeqInDialog_Answers500()
    {
        var (h, _, tag, _) = AnsweredCall();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        h.Sent();
        h.Receive(EndpointHarness.InDialog("INFO", tag, 1, "z9hG4bK-old"));
        Assert.Equal(500, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
    }

    [Theory]
    [InlineData("Require: foo\r\n", 420)]
    public void Invite_UnsupportedRequire_Answers420WithUnsupported(string extra, int code)
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        h.Receive(EndpointHarness.Invite(extra: extra));
        var response = h.SentResponse(code);
        Assert.Equal("foo", response.Headers.Get("Unsupported"));
        Assert.Empty(h.Calls);
    }

    [Fact]
    public void Request_UnknownScheme_Answers416()
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        h.Receive(EndpointHarness.Invite().Replace("INVITE sip:+15551230000@192.0.2.1 SIP", "INVITE foo:bar SIP", StringComparison.Ordinal));
        Assert.Equal(416, h.Sent().OfType<SipResponse>().Last().StatusCode);
    }

    [Fact]
    public void Request_UnknownMethod_Answers501WithAllow()
    {
        var h = new EndpointHarness();
        h.Receive(EndpointHarness.Invite().Replace("INVITE", "FOO", StringComparison.Ordinal));
        var response = h.SentResponse(501);
        Assert.Contains("INVITE", response.Headers.Get("Allow"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HangUp_RouteToHostName_GoesOverTheDialogFlowWithoutDns()
    {
        var (h, dialog, tag, _) = AnsweredCall();
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        h.Sent();

        // The route set's first hop is proxy.example.com: no lookup, the BYE goes where the INVITE came from.
        var hangUp = dialog.HangUpAsync();
        var (bye, to) = Assert.Single(h.Transport.TakeSent());
        Assert.Equal("BYE", Assert.IsType<SipRequest>(bye).Method);
        Assert.Equal(EndpointHarness.Peer, to);
        Assert.Equal("<sip:proxy.example.com;lr>", bye.Headers.Get("Route"));
        h.Receive(SipResponses.Create((SipRequest)bye, 200));
        await hangUp.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
