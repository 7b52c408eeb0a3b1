using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;
using OpenSma.Sip.Transports;
using OpenSma.Sip.Tests.Core;

namespace OpenSma.Sip.Tests.Transports;

/// <summary>
/// TCP connection bounds over real loopback sockets: idle timeout on the stack's fake clock, the
/// inbound caps, the buffered-bytes bound for an endless header section and the send queue bound.
/// Real waits are only for bytes to cross loopback, each bounded by a generous patience.
/// </summary>
public sealed class ConnectionLimitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(5);

    private static async Task<(SipEndpoint Endpoint, IPEndPoint Address)> StartAsync(FakeTimeProvider time, SipConnectionOptions? connections = null, SipParserLimits? limits = null)
    {
        var endpoint = new SipEndpoint(
            new SipEndpointOptions
            {
                UdpEndPoints = [],
                TcpEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)],
                Connections = connections ?? new SipConnectionOptions { IdleTimeout = Idle },
                Limits = limits ?? SipParserLimits.Default,
            },
            time);
        await endpoint.StartAsync();
        return (endpoint, endpoint.Transports.Single().LocalEndPoint);
    }

    private static async Task<TcpClient> ConnectAsync(IPEndPoint server, string from = "127.0.0.1")
    {
        var client = new TcpClient(new IPEndPoint(IPAddress.Parse(from), 0));
        await client.ConnectAsync(server);
        return client;
    }

    private static string Options(TcpClient client, int cseq = 1) =>
        CoreHarness.Request("OPTIONS", branch: "z9hG4bK-opt" + cseq, cseq: cseq, via: "127.0.0.1:" + ((IPEndPoint)client.Client.LocalEndPoint!).Port)
            .Replace("SIP/2.0/UDP", "SIP/2.0/TCP", StringComparison.Ordinal);

    private static async Task<SipResponse> AskAsync(TcpClient client, string request)
    {
        await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(request));
        return await SocketTransportTests.ReadResponseAsync(client.GetStream());
    }

    [Fact]
    public async Task Idle_ConnectionNothingUses_IsClosedOnceTheTimeoutPasses()
    {
        var time = new FakeTimeProvider();
        var (endpoint, server) = await StartAsync(time);
        await using var _ = endpoint;
        using var client = await ConnectAsync(server);

        Assert.Equal(200, (await AskAsync(client, Options(client))).StatusCode);
        time.Advance(Idle - TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await AskAsync(client, Options(client, 2))).StatusCode);
        Assert.Equal(0, endpoint.Statistics.IdleConnectionsClosed);

        time.Advance(Idle + Idle);
        await AssertClosedAsync(client);
        Assert.Equal(1, endpoint.Statistics.IdleConnectionsClosed);
        await WaitUntilAsync(() => endpoint.Statistics.Connections == 0);
    }

    [Fact]
    public async Task Idle_ConnectionARegistrarBindingUses_StaysOpenUntilTheBindingExpires()
    {
        var time = new FakeTimeProvider();
        var (endpoint, server) = await StartAsync(time);
        await using var _ = endpoint;
        using var client = await ConnectAsync(server);
        var port = ((IPEndPoint)client.Client.LocalEndPoint!).Port;
        var register =
            "REGISTER sip:127.0.0.1 SIP/2.0\r\n" +
            $"Via: SIP/2.0/TCP 127.0.0.1:{port};branch=z9hG4bK-reg1\r\n" +
            "From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:alice@127.0.0.1>\r\nCall-ID: reg-idle\r\nCSeq: 1 REGISTER\r\n" +
            $"Contact: <sip:alice@127.0.0.1:{port};transport=tcp>\r\nExpires: 3600\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        Assert.Equal(200, (await AskAsync(client, register)).StatusCode);

        time.Advance(Idle * 3);
        Assert.Equal(0, endpoint.Statistics.IdleConnectionsClosed);
        Assert.Equal(200, (await AskAsync(client, Options(client))).StatusCode);

        time.Advance(TimeSpan.FromHours(1) + Idle * 2);
        await AssertClosedAsync(client);
        Assert.Equal(1, endpoint.Statistics.IdleConnectionsClosed);
    }

    [Fact]
    public async Task Idle_NoTimeoutConfigured_KeepsTheConnection()
    {
        var time = new FakeTimeProvider();
        var (endpoint, server) = await StartAsync(time, new SipConnectionOptions { IdleTimeout = null });
        await using var _ = endpoint;
        using var client = await ConnectAsync(server);
        Assert.Equal(200, (await AskAsync(client, Options(client))).StatusCode);

        time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(200, (await AskAsync(client, Options(client, 2))).StatusCode);
        Assert.Equal(0, endpoint.Statistics.IdleConnectionsClosed);
    }

    [Fact]
    public async Task Caps_OverPerAddressAndTotal_AreClosedAtAcceptCountedAndFreedWhenAConnectionEnds()
    {
        var time = new FakeTimeProvider();
        var (endpoint, server) = await StartAsync(time, new SipConnectionOptions { MaxInboundConnections = 3, MaxInboundConnectionsPerAddress = 2 });
        await using var _ = endpoint;
        var first = await ConnectAsync(server);
        using var second = await ConnectAsync(server);
        Assert.Equal(200, (await AskAsync(first, Options(first))).StatusCode);
        Assert.Equal(200, (await AskAsync(second, Options(second))).StatusCode);

        await AssertRefusedAsync(server, "127.0.0.1");

        Assert.Equal(1, endpoint.Statistics.ConnectionsRefusedOverAddressCap);

        using var other = await ConnectAsync(server, from: "127.0.0.2");
        Assert.Equal(200, (await AskAsync(other, Options(other))).StatusCode);
        await AssertRefusedAsync(server, "127.0.0.3");

        Assert.Equal(1, endpoint.Statistics.ConnectionsRefusedOverTotalCap);
        Assert.Equal(3, endpoint.Statistics.Connections);

        // One leaves: its slot, and its address's, are free again.
        first.Dispose();
        await WaitUntilAsync(() => endpoint.Statistics.Connections == 2);
        using var again = await ConnectAsync(server);
        Assert.Equal(200, (await AskAsync(again, Options(again))).StatusCode);
        Assert.Equal(1, endpoint.Statistics.ConnectionsRefusedOverAddressCap);
        Assert.Equal(1, endpoint.Statistics.ConnectionsRefusedOverTotalCap);
    }

    [Fact]
    public async Task HeaderSectionThatNeverEnds_TheServerStopsReadingAndCloses()
    {
        var time = new FakeTimeProvider();
        var (endpoint, server) = await StartAsync(time, limits: new SipParserLimits { MaxMessageBytes = 4096 });
        await using var _ = endpoint;
        using var client = await ConnectAsync(server);
        var stream = client.GetStream();
        var start = Options(client);
        start = start[..start.IndexOf("Content-Length", StringComparison.Ordinal)];
        await stream.WriteAsync(Encoding.UTF8.GetBytes(start));

        // 100 KB of header lines and never the empty line: far past the 4 KB bound.
        var line = Encoding.UTF8.GetBytes("X-Padding: " + new string('a', 200) + "\r\n");
        try
        {
            for (var sent = 0; sent < 100_000; sent += line.Length)
            {
                await stream.WriteAsync(line);
            }
        }
        catch (IOException)
        {
            // The server already reset the connection: only a closed connection fails a write so.
            Assert.False(client.Client.Connected);
        }

        // Were the server still buffering (waiting for the end of the header section), this would hang and fail.
        await AssertClosedAsync(client);
        await WaitUntilAsync(() => endpoint.Statistics.Connections == 0);
    }

    [Fact]
    public async Task HeaderSectionThatNeverEnds_SentBeforeReading_GetsA513()
    {
        var time = new FakeTimeProvider();
        var (endpoint, server) = await StartAsync(time, limits: new SipParserLimits { MaxMessageBytes = 4096 });
        await using var _ = endpoint;
        using var client = await ConnectAsync(server);
        var stream = client.GetStream();
        var start = Options(client);
        start = start[..start.IndexOf("Content-Length", StringComparison.Ordinal)];

        // Just past the limit in one write, well within socket buffers, so the answer is not lost to a reset.
        var padding = new StringBuilder();
        while (padding.Length < 5000)
        {
            padding.Append("X-Padding: ").Append('a', 100).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(start + padding));
        var response = await SocketTransportTests.ReadResponseAsync(stream);
        Assert.Equal(513, response.StatusCode);
        Assert.Equal("call-1@192.0.2.10", response.CallId);
        await AssertClosedAsync(client);
    }

    [Fact]
    public async Task SendQueue_PastItsBound_ClosesTheConnectionAndCountsIt()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var sink = new CountingSink();
        await using var transport = new TcpSipTransport(new IPEndPoint(IPAddress.Loopback, 0), connections: new SipConnectionOptions { MaxQueuedSendBytes = 100 });
        await transport.StartAsync(sink, CancellationToken.None);
        var peer = (IPEndPoint)listener.LocalEndpoint;

        transport.Send(Encoding.UTF8.GetBytes(CoreHarness.Request("OPTIONS")), peer);

        Assert.Equal(1, transport.Statistics.SendQueueOverflows);
        await WaitUntilAsync(() => transport.Statistics.Open == 0);
    }

    [Fact]
    public async Task Dispose_ClosesEveryConnection()
    {
        var time = new FakeTimeProvider();
        var (endpoint, server) = await StartAsync(time);
        var clients = new List<TcpClient>();
        for (var i = 0; i < 3; i++)
        {
            var client = await ConnectAsync(server);
            clients.Add(client);
            Assert.Equal(200, (await AskAsync(client, Options(client))).StatusCode);
        }

        Assert.Equal(3, endpoint.Statistics.Connections);
        await endpoint.DisposeAsync();
        foreach (var client in clients)
        {
            await AssertClosedAsync(client);
            client.Dispose();
        }
    }

    private sealed class CountingSink : ISipMessageSink
    {
        public void OnMessage(SipInbound inbound)
        {
        }

        public void OnParseFailure(SipParseResult result, SipRemote remote)
        {
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(20, cts.Token);
        }
    }

    /// <summary>Closed at accept with a reset: the connect itself may already report it, else the first read does.</summary>
    private static async Task AssertRefusedAsync(IPEndPoint server, string from)
    {
        TcpClient client;
        try
        {
            client = await ConnectAsync(server, from);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return;
        }

        using (client)
        {
            await AssertClosedAsync(client);
        }
    }

    /// <summary>The server ends the connection: reads see the end (or a reset) within the patience.</summary>
    private static async Task AssertClosedAsync(TcpClient client)
    {
        if (!client.Client.Connected)
        {
            // An earlier write already met the server's reset.
            return;
        }

        var stream = client.GetStream();
        using var cts = new CancellationTokenSource(Patience);
        var buffer = new byte[8192];
        try
        {
            while (await stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }
    }
}
