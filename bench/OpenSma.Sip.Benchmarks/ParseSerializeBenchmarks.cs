using System.Text;
using BenchmarkDotNet.Attributes;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Benchmarks;

/// <summary>Parse+serialize throughput for a typical INVITE with SDP and for a BYE.</summary>
[MemoryDiagnoser]
public class ParseSerializeBenchmarks
{
    private static readonly byte[] Invite = Encoding.ASCII.GetBytes(
        "INVITE sip:+15551230000@192.0.2.1:5060 SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.20:5070;branch=z9hG4bK-524287-1---0f4ee5e8cc3d3c59;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "Contact: <sip:+15559870000@192.0.2.20:5070;transport=udp>\r\n" +
        "To: <sip:+15551230000@192.0.2.1>\r\n" +
        "From: \"Caller\" <sip:+15559870000@192.0.2.20>;tag=3b7d4f6a\r\n" +
        "Call-ID: 9aLkNQd3y7mPqv0sK1cX2w..\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\n" +
        "Supported: replaces, timer\r\n" +
        "User-Agent: bench\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 142\r\n\r\n" +
        "v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n");

    private static readonly byte[] Bye = Encoding.ASCII.GetBytes(
        "BYE sip:+15551230000@192.0.2.1:5060 SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.20:5070;branch=z9hG4bK-2;rport\r\n" +
        "From: <sip:+15559870000@192.0.2.20>;tag=3b7d4f6a\r\n" +
        "To: <sip:+15551230000@192.0.2.1>;tag=abc\r\n" +
        "Call-ID: 9aLkNQd3y7mPqv0sK1cX2w..\r\n" +
        "CSeq: 2 BYE\r\n" +
        "Max-Forwards: 70\r\n" +
        "Content-Length: 0\r\n\r\n");

    private readonly SipMessageParser _parser = new();

    [Benchmark(Baseline = true)]
    public int ParseSerializeInvite() => SipMessageWriter.ToBytes(_parser.ParseDatagram(Invite).Message!).Length;

    [Benchmark]
    public int ParseSerializeBye() => SipMessageWriter.ToBytes(_parser.ParseDatagram(Bye).Message!).Length;

    [Benchmark]
    public bool ParseInvite() => _parser.ParseDatagram(Invite).IsComplete;
}
