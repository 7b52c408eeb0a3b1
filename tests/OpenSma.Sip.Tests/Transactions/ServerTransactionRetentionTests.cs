using System.Text;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Tests.Core;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Tests.Transactions;

/// <summary>
/// A dialog keeps its INVITE server transaction for the call's life; once nothing can resend the
/// final response the transaction keeps only its status line, not the header values and body.
/// </summary>
public sealed class ServerTransactionRetentionTests
{
    private static (CoreHarness H, ServerInviteTransaction Tx) Answered(int status)
    {
        var h = new CoreHarness();
        h.Receive(CoreHarness.Request("INVITE"));
        var tx = (ServerInviteTransaction)Assert.Single(h.Requests).Tx!;
        var response = SipResponses.Create(tx.Request, status, toTag: "t1");
        response.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        response.Body = Encoding.ASCII.GetBytes("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n");
        tx.Respond(response);
        h.Sent();
        return (h, tx);
    }

    [Fact]
    public void Success_UntilAck_KeepsTheWhole2xxAndResendsIt()
    {
        var (h, tx) = Answered(200);
        h.AdvanceMs(500);
        var resent = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.False(resent.Body.IsEmpty);
        Assert.Equal("application/sdp", resent.ContentType);
        Assert.NotEqual(0, tx.LastResponse!.Headers.Count);
        Assert.False(tx.LastResponse.Body.IsEmpty);
    }

    [Fact]
    public void Success_AfterAck_KeepsOnlyTheStatusLine()
    {
        var (h, tx) = Answered(200);
        tx.OnAckFor2xx();
        var kept = tx.LastResponse!;
        Assert.Equal(200, kept.StatusCode);
        Assert.Equal("OK", kept.ReasonPhrase);
        Assert.True(kept.IsFinal);
        Assert.True(kept.IsSuccess);
        Assert.Equal(0, kept.Headers.Count);
        Assert.True(kept.Body.IsEmpty);
        Assert.Equal(SipTransactionState.Accepted, tx.State);

        // Still absorbs what it must until timer L; then it ends.
        h.Advance(TimeSpan.FromSeconds(32));
        Assert.Empty(h.Sent());
        Assert.Equal(SipTransactionState.Terminated, tx.State);
        Assert.Equal(0, h.Core.Transactions.ServerCount);
    }

    [Fact]
    public void Success_NeverAcked_TimerLEndsItAndKeepsOnlyTheStatusLine()
    {
        var (h, tx) = Answered(200);
        h.Advance(TimeSpan.FromSeconds(32));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
        Assert.Equal(200, tx.LastResponse!.StatusCode);
        Assert.Equal(0, tx.LastResponse.Headers.Count);
        Assert.True(tx.LastResponse.Body.IsEmpty);
    }

    [Fact]
    public void Non2xx_AfterAck_KeepsOnlyTheStatusLineAndSendsNothingMore()
    {
        var (h, tx) = Answered(486);
        Assert.Equal(486, tx.LastResponse!.StatusCode);
        Assert.NotEqual(0, tx.LastResponse.Headers.Count);
        h.Receive(CoreHarness.Request("ACK", toTag: "t1"));
        Assert.Equal(SipTransactionState.Confirmed, tx.State);
        Assert.Equal(486, tx.LastResponse.StatusCode);
        Assert.Equal(0, tx.LastResponse.Headers.Count);
        h.Receive(CoreHarness.Request("INVITE"));
        h.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(h.Sent());
        Assert.Single(h.Requests);
    }
}
