using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

public sealed class TransferTests
{
    private static (EndpointHarness H, SipDialog Dialog, string Tag) Confirmed()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.AnswerAsync());
        h.Receive(EndpointHarness.Invite());
        var tag = h.SentResponse(200).To!.Tag!;
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack"));
        var dialog = Assert.Single(h.Calls);
        EndpointHarness.Drain(dialog);
        return (h, dialog, tag);
    }

    [Fact]
    public async Task ReferAsync_SendsReferToAndReportsNotifyProgress()
    {
        var (h, dialog, tag) = Confirmed();
        var refer = dialog.ReferAsync(SipUri.Parse("sip:+15550001111@192.0.2.99"));
        var request = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("REFER", request.Method);
        Assert.Equal("<sip:+15550001111@192.0.2.99>", request.Headers.Get("Refer-To"));
        h.Receive(SipResponses.Create(request, 202));
        Assert.Equal(202, (await refer.WaitAsync(TimeSpan.FromSeconds(10))).StatusCode);

        h.Receive(EndpointHarness.InDialog("NOTIFY", tag, 2, "z9hG4bK-n1", contentType: "message/sipfrag;version=2.0", body: "SIP/2.0 180 Ringing\r\n")
            .Replace("Max-Forwards", "Event: refer\r\nSubscription-State: active;expires=60\r\nMax-Forwards", StringComparison.Ordinal));
        h.Receive(EndpointHarness.InDialog("NOTIFY", tag, 3, "z9hG4bK-n2", contentType: "message/sipfrag;version=2.0", body: "SIP/2.0 200 OK\r\n")
            .Replace("Max-Forwards", "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\nMax-Forwards", StringComparison.Ordinal));
        Assert.All(h.Sent().Cast<SipResponse>(), r => Assert.Equal(200, r.StatusCode));
        Assert.Equal([new SipReferProgress(180, false), new SipReferProgress(200, true)], EndpointHarness.Drain(dialog));
    }

    [Fact]
    public void IncomingRefer_ReachesApplicationWithTarget_AndNotifyCarriesSipfrag()
    {
        var (h, dialog, tag) = Confirmed();
        h.Receive(EndpointHarness.InDialog("REFER", tag, 2, "z9hG4bK-r1")
            .Replace("Max-Forwards", "Refer-To: <sip:+15550002222@192.0.2.50>\r\nMax-Forwards", StringComparison.Ordinal));
        var received = Assert.IsType<SipDialogRequestReceived>(Assert.Single(EndpointHarness.Drain(dialog)));
        Assert.Equal("sip:+15550002222@192.0.2.50", received.Request.ReferTo!.ToString());
        received.Request.Respond(202);
        Assert.Equal(202, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);

        _ = dialog.NotifyReferAsync(200);
        var notify = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("NOTIFY", notify.Method);
        Assert.Equal("refer", notify.Headers.Get("Event"));
        Assert.StartsWith("terminated", notify.Headers.Get("Subscription-State"), StringComparison.Ordinal);
        Assert.Equal("SIP/2.0 200 OK\r\n", Encoding.ASCII.GetString(notify.Body.Span));
    }

    [Fact]
    public async Task IncomingRefer_AttendedWithReplaces_BecomesInviteWithReplacesAndReferredBy()
    {
        var (h, dialog, tag) = Confirmed();
        h.Receive(EndpointHarness.InDialog("REFER", tag, 2, "z9hG4bK-r2")
            .Replace("Max-Forwards", "Refer-To: <sip:+15550003333@192.0.2.60?Replaces=abc%40host%3Bto-tag%3Dt1%3Bfrom-tag%3Df1&X-Case=42&Call-ID=evil>\r\nReferred-By: <sip:+15559870000@192.0.2.20>\r\nMax-Forwards", StringComparison.Ordinal));
        var received = Assert.IsType<SipDialogRequestReceived>(Assert.Single(EndpointHarness.Drain(dialog)));
        var refer = received.Request.Refer!;
        Assert.Equal("sip:+15550003333@192.0.2.60", refer.Target.ToString());
        Assert.Equal(new SipReplaces("abc@host", "t1", "f1"), refer.Replaces);
        Assert.Equal("sip:+15559870000@192.0.2.20", refer.ReferredBy!.Uri.ToString());
        Assert.Equal([new SipHeader("X-Case", "42")], refer.Headers);
        received.Request.Respond(202);
        h.Sent();

        // The application places the new call from the REFER as it stands.
        var call = h.Endpoint.InviteAsync(refer.ToInviteOptions(SipNameAddress.Parse("<sip:+15551230000@192.0.2.1>")));
        var invite = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("sip:+15550003333@192.0.2.60", invite.RequestUri.ToString());
        Assert.Equal("abc@host;to-tag=t1;from-tag=f1", invite.Headers.Get("Replaces"));
        Assert.Equal("<sip:+15559870000@192.0.2.20>", invite.Headers.Get("Referred-By"));
        Assert.Equal("42", invite.Headers.Get("X-Case"));
        Assert.NotEqual("evil", invite.CallId);
        h.Receive(SipResponses.Create(invite, 486, toTag: "t9"));
        Assert.Equal(486, (await call.WaitAsync(TimeSpan.FromSeconds(10))).FinalResponse.StatusCode);
    }

    [Fact]
    public void IncomingRefer_WithoutReferTo_Answers400()
    {
        var (h, dialog, tag) = Confirmed();
        h.Receive(EndpointHarness.InDialog("REFER", tag, 2, "z9hG4bK-r3"));
        Assert.Equal(400, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        Assert.Empty(EndpointHarness.Drain(dialog));
    }

    [Fact]
    public void IncomingInviteWithReplaces_FindsTheDialogItReplaces()
    {
        var (h, existing, tag) = Confirmed();
        h.Receive(EndpointHarness.Invite(branch: "z9hG4bK-inv2", callId: "call-2", extra: $"Replaces: call-1;to-tag={tag};from-tag=caller1\r\n"));
        var replacing = h.Calls[1];
        Assert.Equal(new SipReplaces("call-1", tag, "caller1"), replacing.Replaces);
        Assert.Same(existing, h.Endpoint.FindDialog(replacing.Replaces!));
        Assert.Null(h.Endpoint.FindDialog(replacing.Replaces! with { EarlyOnly = true }));
        Assert.Null(h.Endpoint.FindDialog(new SipReplaces("call-1", "other", "caller1")));
    }

    [Fact]
    public void ReferAsync_WithReplaces_EmbedsEscapedReplacesInReferTo()
    {
        var (h, dialog, _) = Confirmed();
        _ = dialog.ReferAsync(SipUri.Parse("sip:+15550004444@192.0.2.70"), new SipReplaces("c@h", "a", "b"));
        var request = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.True(SipReferTarget.TryFrom(request, out var target));
        Assert.Equal(new SipReplaces("c@h", "a", "b"), target.Replaces);
        Assert.Equal("sip:+15550004444@192.0.2.70", target.Target.ToString());
    }
}
