using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

public sealed class SessionTimerTests
{
    private const string Timer = "Session-Expires: 1800\r\nSupported: timer\r\n";

    private static (EndpointHarness H, SipDialog Dialog, string Tag) Answered(string extra)
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.AnswerAsync());
        h.Receive(EndpointHarness.Invite(extra: extra));
        var ok = h.SentResponse(200);
        Assert.Equal("1800;refresher=uac", ok.Headers.Get("Session-Expires"));
        Assert.True(ok.HasOptionTag("Require", "timer"));
        var tag = ok.To!.Tag!;
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack"));
        return (h, Assert.Single(h.Calls), tag);
    }

    [Fact]
    public void Uas_NoRefresh_SendsByeBeforeIntervalEnds()
    {
        var (h, dialog, _) = Answered(Timer);
        h.Time.Advance(TimeSpan.FromSeconds(1767));
        Assert.DoesNotContain(h.Sent(), m => m is SipRequest { Method: "BYE" });
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains(h.Sent(), m => m is SipRequest { Method: "BYE" });
        Assert.Equal(SipEndReason.SessionExpired, Assert.IsType<SipDialogTerminated>(EndpointHarness.Drain(dialog).Last()).Reason);
    }

    [Fact]
    public void Uas_UpdateRefresh_PostponesExpiry()
    {
        var (h, dialog, tag) = Answered(Timer);
        h.Time.Advance(TimeSpan.FromSeconds(1000));
        h.Receive(EndpointHarness.InDialog("UPDATE", tag, 2, "z9hG4bK-upd", contentType: string.Empty).Replace("Max-Forwards", "Session-Expires: 1800;refresher=uac\r\nMax-Forwards", StringComparison.Ordinal));
        var ok = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal("1800;refresher=uac", ok.Headers.Get("Session-Expires"));
        h.Time.Advance(TimeSpan.FromSeconds(1700));
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
        h.Time.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(SipDialogState.Terminated, dialog.State);
    }

    [Fact]
    public void Uas_IntervalBelowMinimum_Answers422WithMinSE()
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        h.Receive(EndpointHarness.Invite(extra: "Session-Expires: 30\r\nSupported: timer\r\n"));
        Assert.Equal("90", h.SentResponse(422).Headers.Get("Min-SE"));
        Assert.Empty(h.Calls);
    }

    [Fact]
    public void Uas_CallerWithoutTimerSupport_NoSessionTimer()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.AnswerAsync());
        h.Receive(EndpointHarness.Invite(extra: "Session-Expires: 1800\r\n"));
        Assert.Null(h.SentResponse(200).Headers.Get("Session-Expires"));
        Assert.Null(Assert.Single(h.Calls).SessionIntervalSeconds);
    }

    [Fact]
    public async Task Uac_RefresherUac_SendsUpdateAtHalfInterval()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(new SipInviteOptions { Target = SipUri.Parse("sip:b@192.0.2.20:5070") });
        var invite = (SipRequest)Assert.Single(h.Sent());
        var ok = SipResponses.Create(invite, 200, toTag: "b1");
        ok.Headers.Add("Contact", "<sip:b@192.0.2.20:5070>");
        ok.Headers.Add("Session-Expires", "120;refresher=uac");
        ok.Headers.Add("Require", "timer");
        h.Receive(ok);
        Assert.Equal(120, (await call.WaitAsync(TimeSpan.FromSeconds(10))).Dialog!.SessionIntervalSeconds);
        h.Sent();

        h.Time.Advance(TimeSpan.FromSeconds(60));
        var update = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("UPDATE", update.Method);
        Assert.Equal("120;refresher=uac", update.Headers.Get("Session-Expires"));
        h.Receive(SipResponses.Create(update, 200));
        h.Time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal("UPDATE", Assert.IsType<SipRequest>(Assert.Single(h.Sent())).Method);
    }
}
