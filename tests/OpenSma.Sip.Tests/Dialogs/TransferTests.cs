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
}
