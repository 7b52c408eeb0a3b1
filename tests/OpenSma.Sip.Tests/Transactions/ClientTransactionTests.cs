using OpenSma.Sip.Messages;
using OpenSma.Sip.Tests.Core;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Tests.Transactions;

public sealed class ClientTransactionTests
{
    private static SipRequest NewRequest(string method)
    {
        var request = new SipRequest(method, SipUri.Parse("sip:+15551230000@192.0.2.10:5070"));
        request.Headers.Add("From", "<sip:a@127.0.0.1>;tag=f1");
        request.Headers.Add("To", "<sip:+15551230000@192.0.2.10>");
        request.Headers.Add("Call-ID", "c1");
        request.Headers.Add("CSeq", "1 " + method);
        return request;
    }

    private static string ResponseFor(SipRequest request, int code, string toTag = "t9")
    {
        var response = SipResponses.Create(request, code, toTag: toTag);
        return System.Text.Encoding.UTF8.GetString(OpenSma.Sip.Parsing.SipMessageWriter.ToBytes(response));
    }

    [Fact]
    public void Invite_NoAnswer_TimerADoublesAndTimerBReports408()
    {
        var h = new CoreHarness();
        var responses = new List<SipResponse>();
        var invite = NewRequest("INVITE");
        lock (h.Core.Gate)
        {
            h.Core.SendRequest(invite, invite.RequestUri, (_, r) => responses.Add(r));
        }

        Assert.Single(h.Sent());
        long[] gaps = [500, 1000, 2000, 4000, 8000, 16000];
        foreach (var gap in gaps)
        {
            h.AdvanceMs((int)gap);
            Assert.Single(h.Sent());
        }

        Assert.Empty(responses);
        h.AdvanceMs(500);
        Assert.Equal(408, Assert.Single(responses).StatusCode);
        Assert.Equal(0, h.Core.Transactions.ClientCount);
    }

    [Fact]
    public void Invite_Provisional_StopsTimerA()
    {
        var h = new CoreHarness();
        var invite = NewRequest("INVITE");
        var responses = new List<SipResponse>();
        lock (h.Core.Gate)
        {
            h.Core.SendRequest(invite, invite.RequestUri, (_, r) => responses.Add(r));
        }

        h.Sent();
        h.Receive(ResponseFor(invite, 180));
        h.AdvanceMs(20_000);
        Assert.Empty(h.Sent());
        Assert.Equal(180, Assert.Single(responses).StatusCode);
    }

    [Fact]
    public void Invite_Non2xx_AcksWithSameBranchAndAbsorbsRetransmissions()
    {
        var h = new CoreHarness();
        var invite = NewRequest("INVITE");
        var responses = new List<SipResponse>();
        ClientTransaction? tx;
        lock (h.Core.Gate)
        {
            tx = h.Core.SendRequest(invite, invite.RequestUri, (_, r) => responses.Add(r));
        }

        h.Sent();
        h.Receive(ResponseFor(invite, 486));
        var ack = Assert.IsType<SipRequest>(Assert.Single(h.Sent()));
        Assert.Equal("ACK", ack.Method);
        Assert.Equal(invite.TopVia!.Branch, ack.TopVia!.Branch);
        Assert.Equal("t9", ack.To!.Tag);
        Assert.Equal(new SipCSeq(1, "ACK"), ack.CSeq);

        h.Receive(ResponseFor(invite, 486));
        Assert.Equal("ACK", Assert.IsType<SipRequest>(Assert.Single(h.Sent())).Method);
        Assert.Single(responses);

        h.Advance(TimeSpan.FromSeconds(32));
        Assert.Equal(SipTransactionState.Terminated, tx!.State);
    }

    [Fact]
    public void Invite_2xxRetransmissions_ReachUserInAccepted()
    {
        var h = new CoreHarness();
        var invite = NewRequest("INVITE");
        var responses = new List<SipResponse>();
        lock (h.Core.Gate)
        {
            h.Core.SendRequest(invite, invite.RequestUri, (_, r) => responses.Add(r));
        }

        h.Sent();
        h.Receive(ResponseFor(invite, 200));
        h.Receive(ResponseFor(invite, 200));
        Assert.Equal(2, responses.Count);
        Assert.Empty(h.Sent());
        h.Advance(TimeSpan.FromSeconds(32));
        h.Receive(ResponseFor(invite, 200));
        Assert.Single(h.Strays);
    }

    [Fact]
    public void NonInvite_TimerECapsAtT2_TimerFReports408()
    {
        var h = new CoreHarness();
        var bye = NewRequest("BYE");
        var responses = new List<SipResponse>();
        lock (h.Core.Gate)
        {
            h.Core.SendRequest(bye, bye.RequestUri, (_, r) => responses.Add(r));
        }

        h.Sent();
        int[] gaps = [500, 1000, 2000, 4000, 4000, 4000];
        foreach (var gap in gaps)
        {
            h.AdvanceMs(gap - 1);
            Assert.Empty(h.Sent());
            h.AdvanceMs(1);
            Assert.Single(h.Sent());
        }

        h.Advance(TimeSpan.FromSeconds(32) - TimeSpan.FromMilliseconds(15_500));
        Assert.Equal(408, Assert.Single(responses).StatusCode);
    }

    [Fact]
    public void NonInvite_Final_TimerKThenTerminated()
    {
        var h = new CoreHarness();
        var bye = NewRequest("BYE");
        ClientTransaction? tx;
        var responses = new List<SipResponse>();
        lock (h.Core.Gate)
        {
            tx = h.Core.SendRequest(bye, bye.RequestUri, (_, r) => responses.Add(r));
        }

        h.Receive(ResponseFor(bye, 200));
        Assert.Equal(SipTransactionState.Completed, tx!.State);
        h.Receive(ResponseFor(bye, 200));
        Assert.Single(responses);
        h.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public void NonInvite_Reliable_NoRetransmissions()
    {
        var h = new CoreHarness("TCP");
        var request = NewRequest("OPTIONS");
        request.RequestUri = SipUri.Parse("sip:x@192.0.2.10:5070;transport=tcp");
        lock (h.Core.Gate)
        {
            h.Core.SendRequest(request, request.RequestUri, (_, _) => { });
        }

        Assert.Single(h.Sent());
        h.Advance(TimeSpan.FromSeconds(20));
        Assert.Empty(h.Sent());
    }
}
