using OpenSma.Sip.Messages;
using OpenSma.Sip.Tests.Core;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Tests.Transactions;

public sealed class ServerInviteTransactionTests
{
    private static (CoreHarness H, ServerTransaction Tx) Invited(string protocol = "UDP")
    {
        var h = new CoreHarness(protocol);
        h.Receive(CoreHarness.Request("INVITE"));
        var tx = Assert.Single(h.Requests).Tx!;
        return (h, tx);
    }

    [Fact]
    public void Receive_Invite_Sends100TryingAtOnce()
    {
        var (h, _) = Invited();
        var trying = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal(100, trying.StatusCode);
        Assert.Null(trying.To!.Tag);
    }

    [Fact]
    public void Retransmission_AfterRinging_ResendsRingingWithoutReachingUser()
    {
        var (h, tx) = Invited();
        tx.Respond(SipResponses.Create(tx.Request, 180, toTag: "t1"));
        h.Sent();
        h.Receive(CoreHarness.Request("INVITE"));
        var resent = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal(180, resent.StatusCode);
        Assert.Single(h.Requests);
    }

    [Fact]
    public void Non2xxFinal_Unreliable_RetransmitsOnTimerGUntilAck()
    {
        var (h, tx) = Invited();
        tx.Respond(SipResponses.Create(tx.Request, 486, toTag: "t1"));
        h.Sent();
        int[] gaps = [500, 1000, 2000, 4000, 4000];
        foreach (var gap in gaps)
        {
            h.AdvanceMs(gap - 1);
            Assert.Empty(h.Sent());
            h.AdvanceMs(1);
            Assert.Equal(486, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        }

        h.Receive(CoreHarness.Request("ACK", toTag: "t1"));
        Assert.Equal(SipTransactionState.Confirmed, tx.State);
        h.AdvanceMs(10_000);
        Assert.Empty(h.Sent());
        Assert.Single(h.Requests);

        // Timer I (T4 = 5 s) has run out: the transaction is gone.
        Assert.Equal(SipTransactionState.Terminated, tx.State);
        Assert.Equal(0, h.Core.Transactions.ServerCount);
    }

    [Fact]
    public void Non2xxFinal_NoAck_TimerHTerminatesAfter64T1()
    {
        var (h, tx) = Invited();
        var timedOut = false;
        ((ServerInviteTransaction)tx).Non2xxAckTimedOut = _ => timedOut = true;
        tx.Respond(SipResponses.Create(tx.Request, 404, toTag: "t1"));
        h.Advance(TimeSpan.FromSeconds(32) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(SipTransactionState.Completed, tx.State);
        h.AdvanceMs(1);
        Assert.Equal(SipTransactionState.Terminated, tx.State);
        Assert.True(timedOut);
    }

    [Fact]
    public void Non2xxFinal_Reliable_NoRetransmissionsAndTimerIZero()
    {
        var (h, tx) = Invited("TCP");
        tx.Respond(SipResponses.Create(tx.Request, 486, toTag: "t1"));
        h.Sent();
        h.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(h.Sent());
        h.Receive(CoreHarness.Request("ACK", toTag: "t1"));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public void Success_RetransmitsUntilDialogSeesAck()
    {
        var (h, tx) = Invited();
        tx.Respond(SipResponses.Create(tx.Request, 200, toTag: "t1"));
        h.Sent();
        h.AdvanceMs(500);
        Assert.Equal(200, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        ((ServerInviteTransaction)tx).OnAckFor2xx();
        h.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(h.Sent());
        Assert.Equal(SipTransactionState.Accepted, tx.State);
    }

    [Fact]
    public void Success_NeverAcked_TimerLReportsToUser()
    {
        var (h, tx) = Invited();
        ServerInviteTransaction? reported = null;
        ((ServerInviteTransaction)tx).AckTimedOut = t => reported = t;
        tx.Respond(SipResponses.Create(tx.Request, 200, toTag: "t1"));
        h.Advance(TimeSpan.FromSeconds(32));
        Assert.Same(tx, reported);
        Assert.Equal(0, h.Core.Transactions.ServerCount);
    }

    [Fact]
    public void Success_RetransmittedInvite_IsAbsorbedInAccepted()
    {
        // Before the ACK a copy of the INVITE gets the 2xx again; after it the copy is a stale
        // duplicate (the peer acknowledged the 2xx) and is absorbed without a response.
        var (h, tx) = Invited();
        tx.Respond(SipResponses.Create(tx.Request, 200, toTag: "t1"));
        h.Sent();
        h.Receive(CoreHarness.Request("INVITE"));
        Assert.Equal(200, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        ((ServerInviteTransaction)tx).OnAckFor2xx();
        h.Receive(CoreHarness.Request("INVITE"));
        Assert.Empty(h.Sent());
        Assert.Single(h.Requests);
    }

    [Fact]
    public void Cancel_PendingInvite_Answers200AndTellsUser()
    {
        var (h, tx) = Invited();
        h.Sent();
        h.Receive(CoreHarness.Request("CANCEL"));
        var ok = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal(SipMethods.Cancel, ok.CSeq!.Value.Method);
        Assert.Same(tx, Assert.Single(h.Cancels));
    }

    [Fact]
    public void Cancel_UnknownInvite_Answers481()
    {
        var h = new CoreHarness();
        h.Receive(CoreHarness.Request("CANCEL"));
        Assert.Equal(481, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        Assert.Empty(h.Cancels);
    }
}
