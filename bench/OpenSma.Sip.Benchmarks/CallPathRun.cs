using System.Diagnostics;
using System.Net;
using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Parsing;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Benchmarks;

/// <summary>
/// The UAS call path without sockets: INVITE, ACK and BYE datagrams go through the real parser
/// and the real endpoint (transactions, dialog, timers on the system clock), and what the stack
/// sends is serialized and dropped. Reports CPU time and allocation per call, which stay
/// meaningful on a loaded machine where calls/s through sipp do not.
/// </summary>
internal static class CallPathRun
{
    private static readonly byte[] Sdp = Encoding.ASCII.GetBytes(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n");

    /// <summary>Counts what the stack sends; a datagram socket's send is the only thing left out.</summary>
    private sealed class DiscardTransport : ISipTransport
    {
        private readonly SipMessageParser _parser = new();
        private ISipMessageSink? _sink;

        public long Sent;

        public string Protocol => "UDP";

        public bool IsReliable => false;

        public IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 5060);

        public Task StartAsync(ISipMessageSink sink, CancellationToken cancellationToken)
        {
            _sink = sink;
            return Task.CompletedTask;
        }

        public void Send(ReadOnlyMemory<byte> data, IPEndPoint remote) => Sent++;

        /// <summary>What UdpSipTransport does with a datagram.</summary>
        public void Receive(byte[] datagram, IPEndPoint from)
        {
            var result = _parser.ParseDatagram(datagram);
            _sink!.OnMessage(new SipInbound(result.Message!, new SipRemote(this, from)));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    public static async Task<int> RunAsync(int calls, bool sampleAllocations = false)
    {
        var transport = new DiscardTransport();
        await using var endpoint = new SipEndpoint(new SipEndpointOptions(), TimeProvider.System, transports: [transport]);
        string? tag = null;
        endpoint.IncomingCall = dialog =>
        {
            tag = dialog.LocalTag;
            _ = dialog.AnswerAsync(Sdp, "application/sdp");
        };
        await endpoint.StartAsync();
        var peer = new IPEndPoint(IPAddress.Loopback, 5070);

        // Warm up, then measure.
        RunCalls(transport, peer, 2000, 0, () => tag!);
        var requests = Prepare(calls, 100_000);
        GC.Collect();
        using var sampler = sampleAllocations ? new AllocationSampler() : null;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var gen0 = GC.CollectionCount(0);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            transport.Receive(requests[i].Invite, peer);
            transport.Receive(Encoding.ASCII.GetBytes(string.Format(System.Globalization.CultureInfo.InvariantCulture, requests[i].Ack, tag)), peer);
            transport.Receive(Encoding.ASCII.GetBytes(string.Format(System.Globalization.CultureInfo.InvariantCulture, requests[i].Bye, tag)), peer);
        }

        watch.Stop();
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine($"call path: {calls} calls (INVITE, ACK, BYE in; 100, 200, 200 out), {transport.Sent} messages sent");
        Console.WriteLine($"  wall {watch.Elapsed.TotalMilliseconds / calls * 1000:F1} us/call ({calls / watch.Elapsed.TotalSeconds:F0} calls/s on one thread)");
        Console.WriteLine($"  process CPU {cpuUsed.TotalMilliseconds / calls * 1000:F1} us/call, allocated {bytes / calls:N0} B/call on the calling thread, gen0 GCs {GC.CollectionCount(0) - gen0}");
        sampler?.Print(calls);
        return 0;
    }

    private static void RunCalls(DiscardTransport transport, IPEndPoint peer, int calls, int offset, Func<string> tag)
    {
        foreach (var r in Prepare(calls, offset))
        {
            transport.Receive(r.Invite, peer);
            transport.Receive(Encoding.ASCII.GetBytes(string.Format(System.Globalization.CultureInfo.InvariantCulture, r.Ack, tag())), peer);
            transport.Receive(Encoding.ASCII.GetBytes(string.Format(System.Globalization.CultureInfo.InvariantCulture, r.Bye, tag())), peer);
        }
    }

    private sealed record Call(byte[] Invite, string Ack, string Bye);

    /// <summary>sipp-like requests, unique per call; ACK and BYE keep a {0} for our To tag.</summary>
    private static List<Call> Prepare(int calls, int offset)
    {
        var list = new List<Call>(calls);
        for (var n = offset; n < offset + calls; n++)
        {
            var common = $"From: sipp <sip:sipp@127.0.0.1:5070>;tag={n}SIPpTag00{n}\r\nCall-ID: {n}-bench@127.0.0.1\r\n";
            var body = Encoding.ASCII.GetString(Sdp);
            var invite = "INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n" +
                $"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-{n}-1-0\r\n" + common +
                "To: service <sip:service@127.0.0.1:5060>\r\nCSeq: 1 INVITE\r\nContact: sip:sipp@127.0.0.1:5070\r\nMax-Forwards: 70\r\n" +
                $"Subject: Performance Test\r\nContent-Type: application/sdp\r\nContent-Length: {body.Length}\r\n\r\n{body}";
            var ack = "ACK sip:service@127.0.0.1:5060 SIP/2.0\r\n" +
                $"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-{n}-5-0\r\n" + common.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal) +
                "To: service <sip:service@127.0.0.1:5060>;tag={0}\r\nCSeq: 1 ACK\r\nContact: sip:sipp@127.0.0.1:5070\r\nMax-Forwards: 70\r\nSubject: Performance Test\r\nContent-Length: 0\r\n\r\n";
            var bye = "BYE sip:service@127.0.0.1:5060 SIP/2.0\r\n" +
                $"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-{n}-7-0\r\n" + common.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal) +
                "To: service <sip:service@127.0.0.1:5060>;tag={0}\r\nCSeq: 2 BYE\r\nContact: sip:sipp@127.0.0.1:5070\r\nMax-Forwards: 70\r\nSubject: Performance Test\r\nContent-Length: 0\r\n\r\n";
            list.Add(new Call(Encoding.ASCII.GetBytes(invite), ack, bye));
        }

        return list;
    }
}
