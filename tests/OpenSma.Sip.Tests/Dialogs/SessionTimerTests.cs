using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

public sealed class SessionTimerTests
{
    private const string Timer = "Session-Expires: 1800\r\nSupported: timer\r\n";
    private const string Sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";

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
    public void Uas_CallerWithoutTimerSupport_WeRefreshWithoutRequire()
    {
        // A proxy added Session-Expires for a caller that cannot refresh: RFC 4028 §9 makes us the refresher.
        var h = new EndpointHarness();
        h.AttachApplication(d => d.AnswerAsync(Encoding.ASCII.GetBytes(Sdp), "application/sdp"));
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n", extra: "Session-Expires: 1800\r\n"));
        var ok = h.SentResponse(200);
        Assert.Equal("1800;refresher=uas", ok.Headers.Get("Session-Expires"));
        Assert.False(ok.HasOptionTag("Require", "timer"));
        var dialog = Assert.Single(h.Calls);
        Assert.True(dialog.IsSessionRefresher);
        Assert.Equal(1800, dialog.SessionIntervalSeconds);
    }

    [Fact]
    public void Uas_NoSessionExpires_NoSessionTimer()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.AnswerAsync());
        h.Receive(EndpointHarness.Invite(extra: "Supported: timer\r\n"));
        Assert.Null(h.SentResponse(200).Headers.Get("Session-Expires"));
        Assert.Null(Assert.Single(h.Calls).SessionIntervalSeconds);
    }

    [Fact]
    public void Uas_RefresherUasWithoutUpdateInAllow_RefreshesWithReInviteOfferingOurSdp()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.AnswerAsync(Encoding.ASCII.GetBytes(Sdp), "application/sdp"));
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n", extra: "Session-Expires: 600;refresher=uas\r\nSupported: timer\r\nAllow: INVITE, ACK, BYE, CANCEL\r\n"));
        var ok = h.SentResponse(200);
        Assert.Equal("600;refresher=uas", ok.Headers.Get("Session-Expires"));
        Assert.True(ok.HasOptionTag("Require", "timer"));
        var tag = ok.To!.Tag!;
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack"));
        var dialog = Assert.Single(h.Calls);
        Assert.True(dialog.IsSessionRefresher);

        h.Time.Advance(TimeSpan.FromSeconds(299));
        Assert.DoesNotContain(h.Sent(), m => m is SipRequest);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var refresh = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("INVITE", refresh.Method);
        Assert.Equal(Sdp, Encoding.ASCII.GetString(refresh.Body.Span));
        Assert.Equal("600;refresher=uac", refresh.Headers.Get("Session-Expires"));
        Assert.Equal(tag, refresh.From!.Tag);

        var granted = SipResponses.Create(refresh, 200, toTag: "caller1");
        granted.Headers.Add("Contact", "<sip:+15559870000@192.0.2.20:5070>");
        granted.Headers.Add("Session-Expires", "600;refresher=uac");
        granted.Headers.Add("Content-Type", "application/sdp");
        granted.Body = Encoding.ASCII.GetBytes("v=0\r\n");
        h.Receive(granted);
        Assert.Equal("ACK", Assert.IsType<SipRequest>(Assert.Single(h.Sent())).Method);

        // The next refresh comes half an interval after the last one succeeded.
        h.Time.Advance(TimeSpan.FromSeconds(300));
        Assert.Equal("INVITE", Assert.IsType<SipRequest>(Assert.Single(h.Sent())).Method);
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
    }

    [Fact]
    public void Uas_RefresherUasWithUpdateAllowed_RefreshesWithUpdate()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.AnswerAsync(Encoding.ASCII.GetBytes(Sdp), "application/sdp"));
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n", extra: "Session-Expires: 90;refresher=uas\r\nSupported: timer\r\nAllow: INVITE, ACK, BYE, CANCEL, UPDATE\r\n"));
        var tag = h.SentResponse(200).To!.Tag!;
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack"));
        h.Time.Advance(TimeSpan.FromSeconds(45));
        var refresh = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("UPDATE", refresh.Method);
        Assert.True(refresh.Body.IsEmpty);
        Assert.Equal("90;refresher=uac", refresh.Headers.Get("Session-Expires"));
    }

    [Fact]
    public void Uas_RefreshRejected_SendsByeAtExpiry()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.AnswerAsync(Encoding.ASCII.GetBytes(Sdp), "application/sdp"));
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n", extra: "Session-Expires: 600;refresher=uas\r\nSupported: timer\r\nAllow: UPDATE\r\n"));
        var tag = h.SentResponse(200).To!.Tag!;
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack"));
        var dialog = Assert.Single(h.Calls);
        h.Time.Advance(TimeSpan.FromSeconds(300));
        var refresh = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        h.Receive(SipResponses.Create(refresh, 500));

        // Expiry: 600 - min(32, 200) = 568 s after the answer.
        h.Time.Advance(TimeSpan.FromSeconds(267));
        Assert.DoesNotContain(h.Sent(), m => m is SipRequest { Method: "BYE" });
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains(h.Sent(), m => m is SipRequest { Method: "BYE" });
        Assert.Equal(SipEndReason.SessionExpired, Assert.IsType<SipDialogTerminated>(EndpointHarness.Drain(dialog).Last()).Reason);
    }

    [Fact]
    public void Uas_PeerRefreshSwitchesRefresherToUs_WeRefreshNext()
    {
        var (h, dialog, tag) = Answered(Timer);
        Assert.False(dialog.IsSessionRefresher);
        h.Receive(EndpointHarness.InDialog("UPDATE", tag, 2, "z9hG4bK-upd").Replace("Max-Forwards", "Session-Expires: 1800;refresher=uas\r\nSupported: timer\r\nMax-Forwards", StringComparison.Ordinal));
        var ok = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal("1800;refresher=uas", ok.Headers.Get("Session-Expires"));
        Assert.True(dialog.IsSessionRefresher);
        h.Time.Advance(TimeSpan.FromSeconds(900));
        Assert.Contains(h.Sent(), m => m is SipRequest { Method: "UPDATE" or "INVITE" });
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

    [Theory]
    [InlineData("Supported: timer\r\n", "600;refresher=uac")]
    [InlineData("Supported: timer\r\nMin-SE: 900\r\n", "900;refresher=uac")]
    [InlineData("", null)]
    public void Uas_ConfiguredInterval_RequestedOnlyFromCallersThatSupportTimers(string extra, string? expected)
    {
        var h = new EndpointHarness(new SipEndpointOptions { SessionExpiresSeconds = 600 });
        h.AttachApplication(d => d.AnswerAsync());
        h.Receive(EndpointHarness.Invite(extra: extra));
        var ok = h.SentResponse(200);
        Assert.Equal(expected, ok.Headers.Get("Session-Expires"));
        Assert.Equal(expected is not null, ok.HasOptionTag("Require", "timer"));
        Assert.Equal(expected is null ? null : int.Parse(expected.Split(';')[0], System.Globalization.CultureInfo.InvariantCulture), Assert.Single(h.Calls).SessionIntervalSeconds);
    }
}
