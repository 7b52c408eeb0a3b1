using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Tests.Dialogs;

namespace OpenSma.Sip.Tests;

public sealed class SipEndpointTests
{
    [Fact]
    public void Statistics_CallAndRegistration_CountLiveTransactionsDialogsAndBindings()
    {
        var h = new EndpointHarness();
        Assert.Equal(new SipEndpointStatistics(0, 0, 0, 0), h.Endpoint.Statistics);

        h.AttachApplication(d => d.Ring());
        h.Receive(EndpointHarness.Invite());
        var ringing = h.Endpoint.Statistics;
        Assert.Equal((0, 1, 1), (ringing.ClientTransactions, ringing.ServerTransactions, ringing.Dialogs));

        h.Receive(
            "REGISTER sip:192.0.2.1 SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP 192.0.2.20:5070;branch=z9hG4bK-reg1\r\n" +
            "From: <sip:alice@192.0.2.1>;tag=r1\r\n" +
            "To: <sip:alice@192.0.2.1>\r\n" +
            "Call-ID: reg-1\r\n" +
            "CSeq: 1 REGISTER\r\n" +
            "Contact: <sip:alice@192.0.2.20:5070>;expires=60\r\n" +
            "Content-Length: 0\r\n\r\n");
        Assert.Equal(1, h.Endpoint.Statistics.RegistrarBindings);
        h.Sent();
        Assert.Equal(2, h.Endpoint.Statistics.ServerTransactions);

        var dialog = Assert.Single(h.Calls);
        _ = dialog.AnswerAsync(Encoding.UTF8.GetBytes("v=0\r\n"), "application/sdp");
        var tag = h.SentResponse(200).To!.Tag!;
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        _ = dialog.HangUpAsync();
        var hangingUp = h.Endpoint.Statistics;
        Assert.Equal(1, hangingUp.ClientTransactions);
        Assert.Equal(0, hangingUp.Dialogs);

        // Every timer has run: transactions are gone, the binding has expired.
        h.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(new SipEndpointStatistics(0, 0, 0, 0), h.Endpoint.Statistics);
    }
}
