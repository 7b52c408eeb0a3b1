using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Sip.Core;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Tests.Core;

/// <summary>A core on an in-memory transport and a fake clock, with a handler that records what reaches it.</summary>
internal sealed class CoreHarness : ISipRequestHandler
{
    public static readonly IPEndPoint Peer = new(IPAddress.Parse("192.0.2.10"), 5070);

    public CoreHarness(string protocol = "UDP")
    {
        Core = new SipCore(Time, SipTimerSettings.Default, NullLogger.Instance) { Handler = this };
        Transport = new InMemorySipTransport(new IPEndPoint(IPAddress.Loopback, 5060), protocol);
        Core.AddTransport(Transport);
        Transport.StartAsync(Core, CancellationToken.None).GetAwaiter().GetResult();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public SipCore Core { get; }

    public InMemorySipTransport Transport { get; }

    public List<(SipRequest Request, ServerTransaction? Tx)> Requests { get; } = [];

    public List<ServerInviteTransaction> Cancels { get; } = [];

    public List<SipResponse> Strays { get; } = [];

    public Action<SipRequest, ServerTransaction?>? OnRequestHook { get; set; }

    public void OnRequest(SipRequest request, ServerTransaction? transaction, SipRemote source)
    {
        Requests.Add((request, transaction));
        OnRequestHook?.Invoke(request, transaction);
    }

    public void OnCancel(ServerInviteTransaction invite) => Cancels.Add(invite);

    public void OnStrayResponse(SipResponse response, SipRemote source) => Strays.Add(response);

    public void Receive(string text) => Transport.Receive(System.Text.Encoding.UTF8.GetBytes(text), Peer);

    public List<SipMessage> Sent() => Transport.TakeSent().Select(s => s.Message).ToList();

    public void Advance(TimeSpan by) => Time.Advance(by);

    public void AdvanceMs(int ms) => Time.Advance(TimeSpan.FromMilliseconds(ms));

    public static string Request(string method, string branch = "z9hG4bK-abc", int cseq = 1, string? toTag = null, string via = "192.0.2.10:5070", string extra = "") =>
        $"{method} sip:+15551230000@127.0.0.1 SIP/2.0\r\n" +
        $"Via: SIP/2.0/UDP {via};branch={branch}\r\n" +
        "From: <sip:+15559870000@192.0.2.10>;tag=from1\r\n" +
        $"To: <sip:+15551230000@127.0.0.1>{(toTag is null ? string.Empty : ";tag=" + toTag)}\r\n" +
        "Call-ID: call-1@192.0.2.10\r\n" +
        $"CSeq: {cseq} {(method == "ACK" || method == "CANCEL" ? method : method)}\r\n" +
        "Contact: <sip:+15559870000@192.0.2.10:5070>\r\n" +
        "Max-Forwards: 70\r\n" + extra +
        "Content-Length: 0\r\n\r\n";
}
