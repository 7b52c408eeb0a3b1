using OpenSma.Sip.Messages;
using OpenSma.Sip.Tests.Core;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Tests.Transactions;

public sealed class ServerNonInviteTransactionTests
{
    [Fact]
    public void Retransmission_AfterFinal_ResendsFinalUntilTimerJ()
    {
        var h = new CoreHarness();
        h.Receive(CoreHarness.Request("BYE", toTag: "t1"));
        var tx = Assert.Single(h.Requests).Tx!;
        tx.Respond(SipResponses.Create(tx.Request, 200));
        Assert.Single(h.Sent());

        h.Receive(CoreHarness.Request("BYE", toTag: "t1"));
        Assert.Equal(200, Assert.IsType<SipResponse>(Assert.Single(h.Sent())).StatusCode);
        Assert.Single(h.Requests);

        h.Advance(TimeSpan.FromSeconds(32));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
        h.Receive(CoreHarness.Request("BYE", toTag: "t1"));
        Assert.Equal(2, h.Requests.Count);
    }

    [Fact]
    public void Retransmission_BeforeAnyResponse_IsAbsorbedSilently()
    {
        var h = new CoreHarness();
        h.Receive(CoreHarness.Request("INFO", toTag: "t1"));
        h.Receive(CoreHarness.Request("INFO", toTag: "t1"));
        Assert.Single(h.Requests);
        Assert.Empty(h.Sent());
    }

    [Fact]
    public void Final_OverReliableTransport_TerminatesAtOnce()
    {
        var h = new CoreHarness("TCP");
        h.Receive(CoreHarness.Request("BYE", toTag: "t1"));
        var tx = Assert.Single(h.Requests).Tx!;
        tx.Respond(SipResponses.Create(tx.Request, 200));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }
}
