using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Core;

public sealed class SipCoreTests
{
    [Fact]
    public void OnMessage_OutOfDialogOptions_Answers200StatelesslyWithAllow()
    {
        var h = new CoreHarness();
        h.Receive(CoreHarness.Request("OPTIONS"));
        var ok = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal(200, ok.StatusCode);
        Assert.Contains("INVITE", ok.Headers.Get("Allow"), StringComparison.Ordinal);
        Assert.NotNull(ok.To!.Tag);
        Assert.Equal(0, h.Core.Transactions.ServerCount);
        Assert.Empty(h.Requests);
    }

    [Fact]
    public void OnMessage_ViaWithRport_StampsReceivedAndAnswersSourcePort()
    {
        var h = new CoreHarness();
        h.Receive(CoreHarness.Request("OPTIONS", via: "10.9.9.9:5999;rport"));
        var sent = h.Transport.TakeSent();
        var (message, remote) = Assert.Single(sent);
        Assert.Equal(CoreHarness.Peer, remote);
        var via = message.TopVia!;
        Assert.Equal(CoreHarness.Peer.Port, via.RPort);
        Assert.Equal("192.0.2.10", via.Received);
    }

    [Fact]
    public void OnMessage_ViaWithoutRport_AnswersSentByPortAtSourceAddress()
    {
        var h = new CoreHarness();
        h.Receive(CoreHarness.Request("OPTIONS", via: "10.9.9.9:5999"));
        var (message, remote) = Assert.Single(h.Transport.TakeSent());
        Assert.Equal(5999, remote.Port);
        Assert.Equal(CoreHarness.Peer.Address, remote.Address);
        Assert.Equal("192.0.2.10", message.TopVia!.Received);
    }

    [Fact]
    public void OnParseFailure_BadRequest_Answers400WithReason()
    {
        var h = new CoreHarness();
        h.Receive(CoreHarness.Request("INVITE").Replace("CSeq: 1 INVITE", "CSeq: 1 BYE", StringComparison.Ordinal));
        var response = Assert.IsType<SipResponse>(Assert.Single(h.Sent()));
        Assert.Equal(400, response.StatusCode);
        Assert.Contains("CSeq", response.ReasonPhrase, StringComparison.Ordinal);
        Assert.Empty(h.Requests);
    }

    [Fact]
    public void OnParseFailure_Garbage_IsSurvivedSilently()
    {
        var h = new CoreHarness();
        h.Transport.Receive([0x16, 0x03, 0x01, 0x00, 0xff], CoreHarness.Peer);
        h.Receive("\r\n\r\n");
        Assert.Empty(h.Sent());
        h.Receive(CoreHarness.Request("OPTIONS"));
        Assert.Single(h.Sent());
    }

    [Fact]
    public void SendRequest_LargeRequestOverUdp_SwitchesToTcp()
    {
        var h = new CoreHarness();
        var tcp = new OpenSma.Sip.Transports.InMemorySipTransport(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 5060), "TCP");
        h.Core.AddTransport(tcp);
        var request = new SipRequest("MESSAGE", SipUri.Parse("sip:b@192.0.2.10"));
        request.Headers.Add("From", "<sip:a@127.0.0.1>;tag=1").Add("To", "<sip:b@192.0.2.10>").Add("Call-ID", "x").Add("CSeq", "1 MESSAGE");
        request.Body = new byte[1400];
        lock (h.Core.Gate)
        {
            h.Core.SendRequest(request, request.RequestUri, (_, _) => { });
        }

        Assert.Empty(h.Sent());
        var (sent, _) = Assert.Single(tcp.TakeSent());
        Assert.Equal("TCP", sent.TopVia!.Transport);
    }
}
