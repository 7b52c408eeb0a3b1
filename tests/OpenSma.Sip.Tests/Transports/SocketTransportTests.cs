using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenSma.Sip.Core;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;
using OpenSma.Sip.Transactions;
using OpenSma.Sip.Transports;
using OpenSma.Sip.Tests.Core;

namespace OpenSma.Sip.Tests.Transports;

/// <summary>UDP and TCP on loopback with OS-chosen ports; waits are generous and bounded.</summary>
public sealed class SocketTransportTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static SipCore NewCore() => new(TimeProvider.System, SipTimerSettings.Default, NullLogger.Instance);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Udp_GarbageThenOptions_SurvivesAndAnswers(string address)
    {
        var ip = IPAddress.Parse(address);
        var core = NewCore();
        await using var transport = new UdpSipTransport(new IPEndPoint(ip, 0));
        core.AddTransport(transport);
        await transport.StartAsync(core, CancellationToken.None);

        using var client = new UdpClient(new IPEndPoint(ip, 0));
        var local = (IPEndPoint)client.Client.LocalEndPoint!;
        await client.SendAsync(new byte[] { 0, 1, 2, 0xff, (byte)'\n' }, transport.LocalEndPoint);
        await client.SendAsync(Encoding.UTF8.GetBytes("INVITE sip:x SIP/2.0\r\n\r\n"), transport.LocalEndPoint);
        var options = CoreHarness.Request("OPTIONS", via: $"{(ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address)}:{local.Port};rport");
        await client.SendAsync(Encoding.UTF8.GetBytes(options), transport.LocalEndPoint);

        using var cts = new CancellationTokenSource(Patience);
        var reply = await client.ReceiveAsync(cts.Token);
        var response = Assert.IsType<SipResponse>(new SipMessageParser().ParseDatagram(reply.Buffer).Message);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(local.Port, response.TopVia!.RPort);
    }

    [Fact]
    public async Task Tcp_MessageSplitAcrossWrites_IsFramedAndAnsweredOnSameConnection()
    {
        var core = NewCore();
        await using var transport = new TcpSipTransport(new IPEndPoint(IPAddress.Loopback, 0));
        core.AddTransport(transport);
        await transport.StartAsync(core, CancellationToken.None);

        using var client = new TcpClient();
        await client.ConnectAsync(transport.LocalEndPoint);
        var stream = client.GetStream();
        var local = (IPEndPoint)client.Client.LocalEndPoint!;
        var bytes = Encoding.UTF8.GetBytes("\r\n\r\n" + CoreHarness.Request("OPTIONS", via: $"127.0.0.1:{local.Port}").Replace("UDP", "TCP", StringComparison.Ordinal));
        await stream.WriteAsync(bytes.AsMemory(0, 40));
        await stream.FlushAsync();
        await Task.Delay(50);
        await stream.WriteAsync(bytes.AsMemory(40));

        var response = await ReadResponseAsync(stream);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(1, transport.ConnectionCount);
    }

    [Fact]
    public async Task Tcp_BadContentLength_AnswersThenCloses()
    {
        var core = NewCore();
        await using var transport = new TcpSipTransport(new IPEndPoint(IPAddress.Loopback, 0));
        core.AddTransport(transport);
        await transport.StartAsync(core, CancellationToken.None);

        using var client = new TcpClient();
        await client.ConnectAsync(transport.LocalEndPoint);
        var stream = client.GetStream();
        var text = CoreHarness.Request("OPTIONS").Replace("Content-Length: 0", "Content-Length: -5", StringComparison.Ordinal);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text));

        var response = await ReadResponseAsync(stream);
        Assert.Equal(400, response.StatusCode);
        using var cts = new CancellationTokenSource(Patience);
        var buffer = new byte[100];
        Assert.Equal(0, await stream.ReadAsync(buffer, cts.Token));
    }

    [Fact]
    public async Task Tcp_SendToPeer_ReusesOpenConnection()
    {
        var core = NewCore();
        await using var transport = new TcpSipTransport(new IPEndPoint(IPAddress.Loopback, 0));
        core.AddTransport(transport);
        await transport.StartAsync(core, CancellationToken.None);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var peer = (IPEndPoint)listener.LocalEndpoint;

        transport.Send(Encoding.UTF8.GetBytes(CoreHarness.Request("OPTIONS")), peer);
        using var cts = new CancellationTokenSource(Patience);
        using var accepted = await listener.AcceptTcpClientAsync(cts.Token);
        transport.Send(Encoding.UTF8.GetBytes(CoreHarness.Request("OPTIONS", cseq: 2)), peer);

        var parser = new SipMessageParser();
        var received = new List<SipMessage>();
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        while (received.Count < 2)
        {
            var n = await accepted.GetStream().ReadAsync(chunk, cts.Token);
            Assert.True(n > 0);
            buffer.AddRange(chunk.AsSpan(0, n));
            while (true)
            {
                var result = parser.ParseStream(new System.Buffers.ReadOnlySequence<byte>(buffer.ToArray()));
                if (!result.IsComplete)
                {
                    break;
                }

                received.Add(result.Message!);
                buffer.RemoveRange(0, (int)result.Consumed);
            }
        }

        Assert.Equal([1L, 2L], received.Select(m => m.CSeq!.Value.Number));
        Assert.Equal(1, transport.ConnectionCount);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Udp_SendToClosedPort_ReportsDestinationUnreachable(string address)
    {
        var ip = IPAddress.Parse(address);
        var sink = new UnreachableSink();
        await using var transport = new UdpSipTransport(new IPEndPoint(ip, 0));
        await transport.StartAsync(sink, CancellationToken.None);
        var closed = new IPEndPoint(ip, ClosedUdpPort(ip));

        transport.Send(Encoding.UTF8.GetBytes(CoreHarness.Request("OPTIONS")), closed);
        var failed = await sink.Failed.Task.WaitAsync(Patience);
        Assert.Equal(closed, failed.EndPoint);
        Assert.Same(transport, failed.Transport);
    }

    [Fact]
    public async Task Udp_DualModeSocketSendToClosedIPv4Port_ReportsUnmappedDestination()
    {
        var sink = new UnreachableSink();
        await using var transport = new UdpSipTransport(new IPEndPoint(IPAddress.IPv6Any, 0));
        await transport.StartAsync(sink, CancellationToken.None);
        var closed = new IPEndPoint(IPAddress.Loopback, ClosedUdpPort(IPAddress.Loopback));

        transport.Send(Encoding.UTF8.GetBytes(CoreHarness.Request("OPTIONS")), closed);
        Assert.Equal(closed, (await sink.Failed.Task.WaitAsync(Patience)).EndPoint);
    }

    [Fact]
    public async Task Udp_SendAfterIcmpError_StillReachesOtherPeer()
    {
        var sink = new UnreachableSink();
        await using var transport = new UdpSipTransport(new IPEndPoint(IPAddress.Loopback, 0));
        await transport.StartAsync(sink, CancellationToken.None);
        using var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var closed = new IPEndPoint(IPAddress.Loopback, ClosedUdpPort(IPAddress.Loopback));

        // Whether the pending error is taken by the receive loop or fails this next send once,
        // the datagram to the live peer must still go out.
        transport.Send(Encoding.UTF8.GetBytes(CoreHarness.Request("OPTIONS")), closed);
        transport.Send(Encoding.UTF8.GetBytes(CoreHarness.Request("OPTIONS", cseq: 2)), (IPEndPoint)peer.Client.LocalEndPoint!);

        using var cts = new CancellationTokenSource(Patience);
        var received = await peer.ReceiveAsync(cts.Token);
        Assert.Equal(2, new SipMessageParser().ParseDatagram(received.Buffer).Message!.CSeq!.Value.Number);
        Assert.Equal(closed, (await sink.Failed.Task.WaitAsync(Patience)).EndPoint);
    }

    private static int ClosedUdpPort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private sealed class UnreachableSink : ISipMessageSink
    {
        public TaskCompletionSource<SipRemote> Failed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnMessage(SipInbound inbound)
        {
        }

        public void OnParseFailure(SipParseResult result, SipRemote remote)
        {
        }

        public void OnSendFailed(SipRemote remote) => Failed.TrySetResult(remote);
    }

    /// <summary>Reads one SIP response from a TCP stream (within 20 s); fails if the peer closes first.</summary>
    internal static async Task<SipResponse> ReadResponseAsync(NetworkStream stream)
    {
        using var cts = new CancellationTokenSource(Patience);
        var parser = new SipMessageParser();
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        while (true)
        {
            var n = await stream.ReadAsync(chunk, cts.Token);
            Assert.True(n > 0, "connection closed before a response: " + Encoding.UTF8.GetString(buffer.ToArray()));
            buffer.AddRange(chunk.AsSpan(0, n));
            var result = parser.ParseStream(new System.Buffers.ReadOnlySequence<byte>(buffer.ToArray()));
            if (result.IsComplete)
            {
                return Assert.IsType<SipResponse>(result.Message);
            }
        }
    }
}
