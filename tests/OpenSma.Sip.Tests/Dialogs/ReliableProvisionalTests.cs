using System.Globalization;
using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

public sealed class ReliableProvisionalTests
{
    private const string Sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";

    private static (EndpointHarness H, SipDialog Dialog) Incoming(string extra)
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        h.Receive(EndpointHarness.Invite(body: "v=0\r\n", extra: extra));
        Assert.Equal(100, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        return (h, Assert.Single(h.Calls));
    }

    private static long RSeqOf(SipResponse response) => long.Parse(response.Headers.Get("RSeq")!, CultureInfo.InvariantCulture);

    [Fact]
    public void RingReliably_CallerSupports100rel_SendsRequireAndRSeqThenStopsOnPrack()
    {
        var (h, dialog) = Incoming("Supported: 100rel\r\n");
        Assert.True(dialog.PeerSupportsReliableProvisionals);
        var acked = dialog.RingReliablyAsync(183, Encoding.ASCII.GetBytes(Sdp), "application/sdp");

        var progress = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal(183, progress.StatusCode);
        Assert.True(progress.HasOptionTag("Require", "100rel"));
        var rseq = RSeqOf(progress);
        Assert.InRange(rseq, 1, int.MaxValue);
        Assert.NotNull(progress.To!.Tag);
        Assert.Equal(Sdp, Encoding.ASCII.GetString(progress.Body.Span));

        h.Receive(EndpointHarness.Prack(progress.To.Tag!, rseq));
        var ok = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal((200, "PRACK"), (ok.StatusCode, ok.CSeq!.Value.Method));
        Assert.True(UasDialogTests.Completed(acked));

        // No retransmission after the PRACK.
        h.Time.Advance(TimeSpan.FromSeconds(40));
        Assert.DoesNotContain(h.Sent(), m => m is SipResponse { StatusCode: 183 });
    }

    [Fact]
    public void RingReliably_NoPrack_RetransmitsFromT1DoublingThenRejects500()
    {
        var (h, dialog) = Incoming("Supported: 100rel\r\n");
        var acked = dialog.RingReliablyAsync(183, Encoding.ASCII.GetBytes(Sdp), "application/sdp");
        Assert.Single(h.Sent());

        // Retransmissions at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s (T1 doubling, no T2 cap), then 500 at 64*T1 = 32 s.
        var gaps = new List<double>();
        var rejected = new List<SipMessage>();
        var elapsed = 0.0;
        var last = 0.0;
        while (elapsed < 40)
        {
            h.Time.Advance(TimeSpan.FromMilliseconds(250));
            elapsed += 0.25;
            foreach (var m in h.Sent())
            {
                if (m is SipResponse { StatusCode: 183 })
                {
                    gaps.Add(elapsed - last);
                    last = elapsed;
                }
                else
                {
                    rejected.Add(m);
                }
            }

            if (dialog.State == SipDialogState.Terminated && rejected.Count > 0)
            {
                Assert.Equal(32.0, elapsed);
                break;
            }
        }

        Assert.Equal([0.5, 1.0, 2.0, 4.0, 8.0, 16.0], gaps);
        Assert.Contains(rejected, m => m is SipResponse { StatusCode: 500 });
        Assert.False(UasDialogTests.Completed(acked));
        Assert.Equal(SipEndReason.Rejected, Assert.IsType<SipDialogTerminated>(EndpointHarness.Drain(dialog).Last()).Reason);
    }

    [Fact]
    public void Answer_WhileEarlySdpUnacknowledged_HoldsTheOkUntilPrack()
    {
        var (h, dialog) = Incoming("Supported: 100rel\r\n");
        _ = dialog.RingReliablyAsync(183, Encoding.ASCII.GetBytes(Sdp), "application/sdp");
        var progress = (SipResponse)Assert.Single(h.Sent());
        var answered = dialog.AnswerAsync(Encoding.ASCII.GetBytes(Sdp), "application/sdp");
        Assert.Empty(h.Sent());
        Assert.False(dialog.IsAnswered);

        h.Receive(EndpointHarness.Prack(progress.To!.Tag!, RSeqOf(progress)));
        var sent = h.Sent().Cast<SipResponse>().ToList();
        Assert.Equal([(200, "PRACK"), (200, "INVITE")], sent.Select(r => (r.StatusCode, r.CSeq!.Value.Method)));
        Assert.True(dialog.IsAnswered);

        h.Receive(EndpointHarness.InDialog("ACK", progress.To.Tag!, 1, "z9hG4bK-ack1"));
        Assert.True(UasDialogTests.Completed(answered));
    }

    [Fact]
    public void Answer_AfterReliable180WithoutBody_IsNotHeld()
    {
        var (h, dialog) = Incoming("Supported: 100rel\r\n");
        _ = dialog.RingReliablyAsync(180);
        h.Sent();
        _ = dialog.AnswerAsync(Encoding.ASCII.GetBytes(Sdp), "application/sdp");
        Assert.Equal(200, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
    }

    [Fact]
    public void Ring_CallerRequires100rel_IsSentReliablyAndSecondWaitsForFirstPrack()
    {
        var (h, dialog) = Incoming("Require: 100rel\r\n");
        dialog.Ring(180);
        dialog.Ring(183, Encoding.ASCII.GetBytes(Sdp), "application/sdp");
        var first = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal(180, first.StatusCode);
        Assert.True(first.HasOptionTag("Require", "100rel"));

        h.Receive(EndpointHarness.Prack(first.To!.Tag!, RSeqOf(first)));
        var sent = h.Sent().Cast<SipResponse>().ToList();
        Assert.Equal([200, 183], sent.Select(r => r.StatusCode));
        Assert.Equal(RSeqOf(first) + 1, RSeqOf(sent[1]));
    }

    [Fact]
    public void Prack_WrongRSeq_Answers481AndKeepsRetransmitting()
    {
        var (h, dialog) = Incoming("Supported: 100rel\r\n");
        _ = dialog.RingReliablyAsync(183, Encoding.ASCII.GetBytes(Sdp), "application/sdp");
        var progress = (SipResponse)Assert.Single(h.Sent());
        h.Receive(EndpointHarness.Prack(progress.To!.Tag!, RSeqOf(progress) + 7));
        Assert.Equal(481, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        h.Time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(183, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
    }

    [Fact]
    public void RingReliably_CallerWithout100rel_SendsUnreliablyAndReturnsFalse()
    {
        var (h, dialog) = Incoming(string.Empty);
        Assert.False(dialog.PeerSupportsReliableProvisionals);
        var acked = dialog.RingReliablyAsync(183, Encoding.ASCII.GetBytes(Sdp), "application/sdp");
        var progress = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Null(progress.Headers.Get("RSeq"));
        Assert.False(UasDialogTests.Completed(acked));
    }

    [Fact]
    public void Cancel_WhileReliableInFlight_StopsRetransmissionsAndCompletesFalse()
    {
        var (h, dialog) = Incoming("Supported: 100rel\r\n");
        var acked = dialog.RingReliablyAsync(183, Encoding.ASCII.GetBytes(Sdp), "application/sdp");
        h.Sent();
        h.Receive(
            "CANCEL sip:+15551230000@192.0.2.1 SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP 192.0.2.20:5070;branch=z9hG4bK-inv1;rport\r\n" +
            "From: \"Caller\" <sip:+15559870000@192.0.2.20>;tag=caller1\r\n" +
            "To: <sip:+15551230000@192.0.2.1>\r\nCall-ID: call-1\r\nCSeq: 1 CANCEL\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal([200, 487], h.Sent().Cast<SipResponse>().Select(r => r.StatusCode));
        Assert.False(UasDialogTests.Completed(acked));
        h.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(h.Sent(), m => m is SipResponse { StatusCode: 183 });
    }
}
