using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenSma.Sip.Resolution;

namespace OpenSma.Sip.Tests.Resolution;

/// <summary>The real resolver against a tiny DNS server on a loopback UDP port, written here from RFC 1035.</summary>
public sealed class UdpDnsResolverTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Answers NAPTR and SRV questions for example.com with compressed names; counts questions.</summary>
    private sealed class TinyDnsServer : IAsyncDisposable
    {
        private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public TinyDnsServer() => _loop = Task.Run(ServeAsync);

        public IPEndPoint EndPoint => (IPEndPoint)_socket.Client.LocalEndPoint!;

        public int Questions;

        private async Task ServeAsync()
        {
            try
            {
                while (true)
                {
                    var query = await _socket.ReceiveAsync(_stop.Token);
                    Interlocked.Increment(ref Questions);
                    await _socket.SendAsync(Answer(query.Buffer), query.RemoteEndPoint, _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private static byte[] Answer(byte[] query)
        {
            // Question name starts at 12; find its end and the type.
            var end = 12;
            while (query[end] != 0)
            {
                end += query[end] + 1;
            }

            var name = ReadName(query, 12);
            var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(end + 1));
            var answers = new List<byte[]>();
            if (type == 35 && name == "example.com")
            {
                answers.Add(Record(35, 300, [.. U16(10), .. U16(50), .. Text("s"), .. Text("SIP+D2T"), .. Text(""), .. Name("_sip._tcp.example.com")]));
                answers.Add(Record(35, 300, [.. U16(20), .. U16(50), .. Text("S"), .. Text("SIP+D2U"), .. Text(""), .. Name("_sip._udp.example.com")]));
            }
            else if (type == 33 && name == "_sip._tcp.example.com")
            {
                // Target compressed: "sbc" then a pointer to "example.com" inside the question (offset 12 + 1 + 4 + 1 + 4).
                byte[] target = [3, (byte)'s', (byte)'b', (byte)'c', 0xC0, 22];
                answers.Add(Record(33, 60, [.. U16(10), .. U16(5), .. U16(5070), .. target]));
            }

            var flags = (ushort)(0x8180 | (answers.Count == 0 && !name.EndsWith("example.com", StringComparison.Ordinal) ? 3 : 0));
            var message = new List<byte>();
            message.AddRange(query.AsSpan(0, 2).ToArray());
            message.AddRange(U16(flags));
            message.AddRange(U16(1));
            message.AddRange(U16((ushort)answers.Count));
            message.AddRange(U16(0));
            message.AddRange(U16(0));
            message.AddRange(query.AsSpan(12, end + 5 - 12).ToArray());
            foreach (var a in answers)
            {
                message.AddRange(a);
            }

            return [.. message];
        }

        private static byte[] Record(ushort type, uint ttl, byte[] data)
        {
            var ttlBytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(ttlBytes, ttl);

            // Owner name: a pointer to the question name at offset 12.
            return [0xC0, 12, .. U16(type), .. U16(1), .. ttlBytes, .. U16((ushort)data.Length), .. data];
        }

        private static byte[] U16(ushort value) => [(byte)(value >> 8), (byte)value];

        private static byte[] Text(string s) => [(byte)s.Length, .. Encoding.ASCII.GetBytes(s)];

        private static byte[] Name(string s) => [.. s.Split('.').SelectMany(Text), 0];

        private static string ReadName(byte[] message, int pos)
        {
            var labels = new List<string>();
            while (message[pos] != 0)
            {
                labels.Add(Encoding.ASCII.GetString(message, pos + 1, message[pos]));
                pos += message[pos] + 1;
            }

            return string.Join('.', labels);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _socket.Dispose();
            await _loop;
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task ResolveNaptrAndSrv_FromLoopbackServer_ParsesCompressedNamesAndCaches()
    {
        await using var server = new TinyDnsServer();
        var resolver = new UdpDnsResolver([server.EndPoint], TimeProvider.System, TimeSpan.FromSeconds(10));

        var naptr = await resolver.ResolveNaptrAsync("example.com").WaitAsync(Limit);
        Assert.Equal(
            [new SipNaptrRecord(10, 50, "s", "SIP+D2T", "", "_sip._tcp.example.com"), new SipNaptrRecord(20, 50, "S", "SIP+D2U", "", "_sip._udp.example.com")],
            naptr);

        var srv = await resolver.ResolveSrvAsync("_sip._tcp.example.com").WaitAsync(Limit);
        Assert.Equal([new SipSrvRecord(10, 5, 5070, "sbc.example.com")], srv);

        Assert.Empty(await resolver.ResolveSrvAsync("_sip._udp.nowhere.invalid").WaitAsync(Limit));
        Assert.Equal(3, server.Questions);

        // Within the TTL the answers come from the cache.
        Assert.Single(await resolver.ResolveSrvAsync("_sip._tcp.example.com").WaitAsync(Limit));
        Assert.Equal(3, server.Questions);
    }

    [Fact]
    public void SystemServers_ReadsNameserverLines()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "# comment\nsearch example.com\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\n");
            Assert.Equal([new IPEndPoint(IPAddress.Parse("192.0.2.53"), 53), new IPEndPoint(IPAddress.Parse("fe80::1"), 53)], UdpDnsResolver.SystemServers(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Parse_Garbage_IsInvalidNotAnException()
    {
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            var response = DnsMessage.Parse(bytes);
            foreach (var answer in response.Answers)
            {
                _ = DnsMessage.ReadSrv(bytes, answer);
                _ = DnsMessage.ReadNaptr(bytes, answer);
            }
        }

        // A pointer loop ends instead of spinning.
        byte[] loop = [0xC0, 0];
        var pos = 0;
        Assert.False(DnsMessage.TryReadName(loop, ref pos, out _));
    }
}
