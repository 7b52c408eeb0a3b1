using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>A started endpoint on an in-memory transport and a fake clock, plus a scripted peer.</summary>
internal sealed class EndpointHarness
{
    public static readonly IPEndPoint Peer = new(IPAddress.Parse("192.0.2.20"), 5070);

    public EndpointHarness(SipEndpointOptions? options = null, string protocol = "UDP")
    {
        Transport = new InMemorySipTransport(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5060), protocol);
        Endpoint = new SipEndpoint(options ?? new SipEndpointOptions(), Time, transports: [Transport]);
        Endpoint.StartAsync().GetAwaiter().GetResult();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public InMemorySipTransport Transport { get; }

    public SipEndpoint Endpoint { get; }

    public List<SipDialog> Calls { get; } = [];

    public void AttachApplication(Action<SipDialog>? onCall = null) =>
        Endpoint.IncomingCall = d =>
        {
            Calls.Add(d);
            onCall?.Invoke(d);
        };

    public void Receive(string text) => Transport.Receive(Encoding.UTF8.GetBytes(text), Peer);

    public void Receive(SipMessage message) => Transport.Receive(SipMessageWriter.ToBytes(message), Peer);

    public List<SipMessage> Sent() => Transport.TakeSent().Select(s => s.Message).ToList();

    public SipResponse SentResponse(int code) => Sent().OfType<SipResponse>().Single(r => r.StatusCode == code);

    public static string Invite(string branch = "z9hG4bK-inv1", string callId = "call-1", string body = "", string extra = "") =>
        "INVITE sip:+15551230000@192.0.2.1 SIP/2.0\r\n" +
        $"Via: SIP/2.0/UDP 192.0.2.20:5070;branch={branch};rport\r\n" +
        "From: \"Caller\" <sip:+15559870000@192.0.2.20>;tag=caller1\r\n" +
        "To: <sip:+15551230000@192.0.2.1>\r\n" +
        $"Call-ID: {callId}\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Contact: <sip:+15559870000@192.0.2.20:5070>\r\n" +
        "Record-Route: <sip:proxy.example.com;lr>\r\n" +
        "Max-Forwards: 70\r\n" + extra +
        (body.Length > 0 ? "Content-Type: application/sdp\r\n" : string.Empty) +
        $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n" + body;

    /// <summary>A request from the peer inside the dialog (To carries our tag).</summary>
    public static string InDialog(string method, string ourTag, int cseq, string branch, string callId = "call-1", string contentType = "", string body = "") =>
        $"{method} sip:+15551230000@192.0.2.1:5060 SIP/2.0\r\n" +
        $"Via: SIP/2.0/UDP 192.0.2.20:5070;branch={branch};rport\r\n" +
        "From: \"Caller\" <sip:+15559870000@192.0.2.20>;tag=caller1\r\n" +
        $"To: <sip:+15551230000@192.0.2.1>;tag={ourTag}\r\n" +
        $"Call-ID: {callId}\r\n" +
        $"CSeq: {cseq} {method}\r\n" +
        "Contact: <sip:+15559870000@192.0.2.20:5070>\r\n" +
        "Max-Forwards: 70\r\n" +
        (contentType.Length > 0 ? $"Content-Type: {contentType}\r\n" : string.Empty) +
        $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n" + body;

    public static List<SipDialogEvent> Drain(SipDialog dialog)
    {
        var list = new List<SipDialogEvent>();
        while (dialog.Events.TryRead(out var e))
        {
            list.Add(e);
        }

        return list;
    }
}
