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

    /// <summary>A PRACK from the peer for our reliable provisional numbered <paramref name="rseq"/>, with an SDP body when one is given.</summary>
    public static string Prack(string ourTag, long rseq, int cseq = 2, string branch = "z9hG4bK-prack1", string body = "") =>
        InDialog("PRACK", ourTag, cseq, branch, contentType: body.Length > 0 ? "application/sdp" : "", body: body)
            .Replace("Max-Forwards", $"RAck: {rseq.ToString(System.Globalization.CultureInfo.InvariantCulture)} 1 INVITE\r\nMax-Forwards", StringComparison.Ordinal);

    /// <summary>An endpoint whose application has taken an INVITE that supports 100rel and carries <paramref name="offer"/> (may be empty); what was sent so far is drained.</summary>
    public static (EndpointHarness H, SipDialog Dialog) IncomingWith100rel(string offer)
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        h.Receive(Invite(body: offer, extra: "Supported: 100rel\r\n"));
        h.Sent();
        return (h, Assert.Single(h.Calls));
    }

    /// <summary>The reliable provisional with this status among what was sent: its To tag and RSeq.</summary>
    public (string Tag, long RSeq) SentReliable(int status)
    {
        var provisional = SentResponse(status);
        return (provisional.To!.Tag!, long.Parse(provisional.Headers.Get("RSeq")!, System.Globalization.CultureInfo.InvariantCulture));
    }

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
