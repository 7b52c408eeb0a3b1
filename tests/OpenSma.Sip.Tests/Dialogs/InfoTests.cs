using System.Globalization;
using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>
/// INFO (RFC 6086), answered by the stack in every dialog. In an early dialog (§3.2): as the caller,
/// the callee's INFO after its 18x with a To-tag is answered and its DTMF reaches the application on
/// the dialog's events, as in a confirmed dialog; as the callee, the caller's INFO after our 18x is
/// handled as in a confirmed dialog. In a confirmed dialog, INFO that is not DTMF gets the same
/// answers as in an early one and never reaches the application.
/// </summary>
public sealed class InfoTests
{
    private const string CalleeContact = "<sip:callee@192.0.2.20:5071>";

    private static SipInviteOptions Options() => new()
    {
        Target = SipUri.Parse("sip:+15559870000@192.0.2.20:5070"),
        From = SipNameAddress.Parse("<sip:+15551230000@192.0.2.1>"),
        Body = Encoding.UTF8.GetBytes("v=0\r\no=us 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n"),
        ContentType = "application/sdp",
    };

    private static SipResponse Reply(SipRequest invite, int code, string tag = "callee1")
    {
        var response = SipResponses.Create(invite, code, toTag: tag);
        response.Headers.Add("Contact", CalleeContact);
        if (code == 200)
        {
            response.Headers.Add("Content-Type", "application/sdp");
            response.Body = Encoding.UTF8.GetBytes("v=0\r\no=peer 42 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n");
        }

        return response;
    }

    /// <summary>An INFO from the callee in the early dialog named by <paramref name="calleeTag"/>.</summary>
    private static string Info(SipRequest invite, int cseq, string branch, string? contentType = null, string body = "", string calleeTag = "callee1", string extra = "") =>
        $"INFO {invite.Contacts[0].Uri} SIP/2.0\r\n" +
        $"Via: SIP/2.0/UDP 192.0.2.20:5070;branch={branch};rport\r\n" +
        $"From: {invite.Headers.Get("To")};tag={calleeTag}\r\n" +
        $"To: {invite.Headers.Get("From")}\r\n" +
        $"Call-ID: {invite.CallId}\r\n" +
        $"CSeq: {cseq.ToString(CultureInfo.InvariantCulture)} INFO\r\n" +
        $"Contact: {CalleeContact}\r\n" +
        "Max-Forwards: 70\r\n" + extra +
        (contentType is null ? string.Empty : $"Content-Type: {contentType}\r\n") +
        $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n" + body;

    private static SipResponse InfoResponse(EndpointHarness h)
    {
        var response = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal("INFO", response.CSeq!.Value.Method);
        return response;
    }

    private static (EndpointHarness H, Task<SipInviteResult> Call, SipRequest Invite) Ringing(int code = 180)
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options());
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, code));
        Assert.Empty(h.Sent());
        return (h, call, invite);
    }

    private static async Task<SipDialog> AnswerAsync(EndpointHarness h, Task<SipInviteResult> call, SipRequest invite, string tag = "callee1")
    {
        h.Receive(Reply(invite, 200, tag));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(result.IsAnswered);
        Assert.Contains(h.Sent(), m => m is SipRequest { Method: "ACK" });
        return result.Dialog!;
    }

    [Theory]
    [InlineData("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', 160)]
    [InlineData("application/dtmf-relay", "Signal=#\r\n", '#', 250)]
    [InlineData("application/dtmf", "7", '7', 250)]
    public async Task Uac_DtmfInfoAfterRinging_Gets200_AndTheDigitComesWithTheConfirmedDialog(string contentType, string body, char digit, int duration)
    {
        var (h, call, invite) = Ringing(183);
        h.Receive(Info(invite, 1, "z9hG4bK-info1", contentType, body));
        var ok = InfoResponse(h);
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal("callee1", ok.From!.Tag);
        Assert.False(call.IsCompleted);

        var dialog = await AnswerAsync(h, call, invite);
        var events = EndpointHarness.Drain(dialog);
        Assert.Equal(2, events.Count);
        Assert.Equal(new SipDtmfReceived(digit, duration), events[0]);
        Assert.IsType<SipDialogConfirmed>(events[1]);
    }

    [Fact]
    public async Task Uac_SeveralEarlyDigits_KeepTheirOrder_AndLaterInfoInTheConfirmedDialogFollows()
    {
        var (h, call, invite) = Ringing();
        h.Receive(Info(invite, 1, "z9hG4bK-info1", "application/dtmf-relay", "Signal=1\r\nDuration=100\r\n"));
        h.Receive(Info(invite, 2, "z9hG4bK-info2", "application/dtmf-relay", "Signal=2\r\nDuration=100\r\n"));
        Assert.Equal([200, 200], h.Sent().OfType<SipResponse>().Select(r => r.StatusCode));

        var dialog = await AnswerAsync(h, call, invite);

        // The confirmed dialog continues the callee's CSeq numbering from its early requests.
        h.Receive(Info(invite, 3, "z9hG4bK-info3", "application/dtmf", "3"));
        Assert.Equal(200, InfoResponse(h).StatusCode);
        h.Receive(Info(invite, 2, "z9hG4bK-info4", "application/dtmf", "4"));
        Assert.Equal(500, InfoResponse(h).StatusCode);

        var digits = EndpointHarness.Drain(dialog).OfType<SipDtmfReceived>().Select(d => d.Digit);
        Assert.Equal(['1', '2', '3'], digits);
    }

    [Fact]
    public void Uac_InfoNamingAnInfoPackage_Gets469WithRecvInfo()
    {
        var (h, _, invite) = Ringing();
        h.Receive(Info(invite, 1, "z9hG4bK-info1", "application/foo+xml", "<foo/>", extra: "Info-Package: foo\r\n"));
        var refused = InfoResponse(h);
        Assert.Equal(469, refused.StatusCode);
        Assert.Equal("Bad Info Package", refused.ReasonPhrase);
        Assert.Equal(string.Empty, refused.Headers.Get("Recv-Info"));
    }

    [Fact]
    public void Uac_InfoWithABodyThatIsNotDtmf_Gets415WithAccept()
    {
        var (h, _, invite) = Ringing();
        h.Receive(Info(invite, 1, "z9hG4bK-info1", "text/plain", "hello"));
        var refused = InfoResponse(h);
        Assert.Equal(415, refused.StatusCode);
        Assert.Equal("application/dtmf-relay, application/dtmf", refused.Headers.Get("Accept"));
    }

    [Theory]
    [InlineData("application/foo+xml", "<foo/>", "Info-Package: foo\r\n", 469)]
    [InlineData("text/plain", "hello", "", 415)]
    [InlineData(null, "", "", 200)]
    public async Task Uac_ConfirmedDialog_InfoThatIsNotDtmf_IsAnsweredByTheStack_AndReportsNothing(string? contentType, string body, string extra, int expected)
    {
        var (h, call, invite) = Ringing();
        var dialog = await AnswerAsync(h, call, invite);
        Assert.IsType<SipDialogConfirmed>(Assert.Single(EndpointHarness.Drain(dialog)));

        h.Receive(Info(invite, 1, "z9hG4bK-info1", contentType, body, extra: extra));
        var response = InfoResponse(h);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == 469 ? string.Empty : null, response.Headers.Get("Recv-Info"));
        Assert.Equal(expected == 415 ? "application/dtmf-relay, application/dtmf" : null, response.Headers.Get("Accept"));
        Assert.Empty(EndpointHarness.Drain(dialog));
    }

    [Fact]
    public async Task Uac_BodylessInfo_Gets200_AndReportsNothing()
    {
        var (h, call, invite) = Ringing();
        h.Receive(Info(invite, 1, "z9hG4bK-info1"));
        Assert.Equal(200, InfoResponse(h).StatusCode);
        var dialog = await AnswerAsync(h, call, invite);
        Assert.IsType<SipDialogConfirmed>(Assert.Single(EndpointHarness.Drain(dialog)));
    }

    [Fact]
    public async Task Uac_UnreadableDtmf_Gets400_AndOutOfOrderCSeqGets500()
    {
        var (h, call, invite) = Ringing();
        h.Receive(Info(invite, 5, "z9hG4bK-info1", "application/dtmf-relay", "Duration=100\r\n"));
        Assert.Equal(400, InfoResponse(h).StatusCode);
        h.Receive(Info(invite, 4, "z9hG4bK-info2", "application/dtmf", "1"));
        Assert.Equal(500, InfoResponse(h).StatusCode);
        var dialog = await AnswerAsync(h, call, invite);
        Assert.IsType<SipDialogConfirmed>(Assert.Single(EndpointHarness.Drain(dialog)));
    }

    [Fact]
    public async Task Uac_InfoBeforeAnyEarlyDialog_OrInAnEndedOne_Gets481()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options());
        var invite = (SipRequest)Assert.Single(h.Sent());

        // A 100 makes no dialog, so there is nothing for the INFO to belong to.
        h.Receive(SipResponses.Create(invite, 100));
        h.Receive(Info(invite, 1, "z9hG4bK-info1", "application/dtmf", "1"));
        Assert.Equal(481, InfoResponse(h).StatusCode);

        h.Receive(Reply(invite, 180));
        h.Receive(Reply(invite, 486));
        Assert.Equal(486, (await call.WaitAsync(TimeSpan.FromSeconds(10))).FinalResponse.StatusCode);
        h.Sent();
        h.Receive(Info(invite, 2, "z9hG4bK-info2", "application/dtmf", "2"));
        Assert.Equal(481, InfoResponse(h).StatusCode);
    }

    [Fact]
    public async Task Uac_ForkedCall_DigitsOfTheForkThatAnswers_AreTheOnesDelivered()
    {
        var h = new EndpointHarness();
        var call = h.Endpoint.InviteAsync(Options());
        var invite = (SipRequest)Assert.Single(h.Sent());
        h.Receive(Reply(invite, 180, "callee1"));
        h.Receive(Reply(invite, 180, "callee2"));
        h.Receive(Info(invite, 1, "z9hG4bK-info1", "application/dtmf", "1", calleeTag: "callee1"));
        h.Receive(Info(invite, 1, "z9hG4bK-info2", "application/dtmf", "2", calleeTag: "callee2"));
        Assert.Equal([200, 200], h.Sent().OfType<SipResponse>().Select(r => r.StatusCode));

        var dialog = await AnswerAsync(h, call, invite, "callee2");
        Assert.Equal("callee2", dialog.RemoteTag);
        Assert.Equal(new SipDtmfReceived('2', 250), EndpointHarness.Drain(dialog).OfType<SipDtmfReceived>().Single());
    }

    [Fact]
    public void Uas_DtmfInfoAfterOurRinging_Gets200_AndReportsTheDigit()
    {
        var h = new EndpointHarness();
        h.AttachApplication(d => d.Ring(180));
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n"));
        var dialog = Assert.Single(h.Calls);
        var tag = h.SentResponse(180).To!.Tag!;
        Assert.Equal(SipDialogState.Early, dialog.State);

        h.Receive(EndpointHarness.InDialog("INFO", tag, 2, "z9hG4bK-info1", contentType: "application/dtmf-relay", body: "Signal=9\r\nDuration=120\r\n"));
        Assert.Equal(200, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        Assert.Equal(new SipDtmfReceived('9', 120), Assert.Single(EndpointHarness.Drain(dialog)));
        Assert.Equal(SipDialogState.Early, dialog.State);
    }
}
