using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>In-dialog requests over real loopback UDP whose peer has gone: the ICMP error ends them, not timer F.</summary>
public sealed class TransportErrorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task HangUp_PeerSocketClosed_ByeFailsAt503WithoutWaitingForTimerF()
    {
        // A fake clock that is never advanced: only the ICMP port unreachable can end the BYE.
        var time = new FakeTimeProvider();
        await using var endpoint = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], TcpEndPoints = [] }, time);
        await endpoint.StartAsync();
        var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var peerPort = ((IPEndPoint)peer.Client.LocalEndPoint!).Port;

        SipDialog dialog;
        using (peer)
        {
            var call = endpoint.InviteAsync(new SipInviteOptions
            {
                Target = SipUri.Parse($"sip:callee@127.0.0.1:{peerPort}"),
                Body = Encoding.ASCII.GetBytes("v=0\r\n"),
                ContentType = "application/sdp",
            });
            var received = await peer.ReceiveAsync().WaitAsync(Patience);
            var invite = Assert.IsType<SipRequest>(new SipMessageParser().ParseDatagram(received.Buffer).Message);
            var ok = SipResponses.Create(invite, 200, toTag: "callee1");
            ok.Headers.Add("Contact", $"<sip:callee@127.0.0.1:{peerPort}>");
            await peer.SendAsync(SipMessageWriter.ToBytes(ok), received.RemoteEndPoint);
            dialog = (await call.WaitAsync(Patience)).Dialog!;
            Assert.Equal(SipDialogState.Confirmed, dialog.State);
        }

        // The peer's socket is closed now: our BYE meets a port unreachable.
        await dialog.HangUpAsync().WaitAsync(Patience);
        Assert.Equal(SipDialogState.Terminated, dialog.State);
        // Only the INVITE's transaction is left, waiting out timer M for 2xx copies (RFC 6026).
        Assert.Equal(new SipEndpointStatistics(1, 0, 0, 0), endpoint.Statistics);
    }
}
