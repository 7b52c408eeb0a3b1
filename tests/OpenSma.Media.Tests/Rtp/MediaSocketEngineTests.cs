using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>
/// UDP transports over real loopback sockets, served by the Linux engine (epoll, recvmmsg, sendto)
/// and by the portable async loops; delivery is awaited with generous timeouts, nothing is timed.
/// </summary>
public sealed class MediaSocketEngineTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly RtpPortAllocator _ports = new(32240, 32279);
    private readonly MediaSocketEngine? _engine = MediaSocketEngine.IsSupported ? new MediaSocketEngine(2) : null;

    public void Dispose() => _engine?.Dispose();

    public static TheoryData<bool> Engines => new() { true, false };

    private UdpMediaTransport Transport(bool useEngine)
    {
        var lease = _ports.TryAllocate(IPAddress.Loopback) ?? throw new InvalidOperationException("no ports");
        return new UdpMediaTransport(lease, useEngine ? _engine : null);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Send_ManyDatagramsBothWays_AllArriveWithTheirSourceAndSocket(bool useEngine)
    {
        using var a = Transport(useEngine);
        using var b = Transport(useEngine);
        var atA = new Collector(50);
        var atB = new Collector(100);
        a.Start(atA);
        b.Start(atB);
        var toB = new IPEndPoint(IPAddress.Loopback, b.LocalRtpPort).Serialize();
        var toBRtcp = new IPEndPoint(IPAddress.Loopback, b.LocalRtpPort + 1).Serialize();
        var toA = new IPEndPoint(IPAddress.Loopback, a.LocalRtpPort).Serialize();

        // Queued faster than one receive call takes them, so recvmmsg gets batches.
        for (var i = 0; i < 50; i++)
        {
            Assert.True(a.Send([(byte)i, 1, 2, 3], toB, rtcp: false));
            Assert.True(a.Send([(byte)i, 9], toBRtcp, rtcp: true));
            Assert.True(b.Send([(byte)i, 7, 7], toA, rtcp: false));
        }

        await atB.Done.WaitAsync(Patience);
        await atA.Done.WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (byte)i), atB.Received.Where(r => !r.Rtcp).Select(r => r.Data[0]).Order());
        Assert.All(atB.Received.Where(r => !r.Rtcp), r => Assert.Equal(new IPEndPoint(IPAddress.Loopback, a.LocalRtpPort), r.Source));
        Assert.All(atB.Received.Where(r => r.Rtcp), r => Assert.Equal(new IPEndPoint(IPAddress.Loopback, a.LocalRtpPort + 1), r.Source));
        Assert.Equal(50, atB.Received.Count(r => r.Rtcp && r.Data.Length == 2));
        Assert.Equal(50, atA.Received.Count(r => r.Data.SequenceEqual(new byte[] { r.Data[0], 7, 7 })));
    }

    [Fact]
    public async Task Receiver_Throws_LaterDatagramsStillArrive()
    {
        if (_engine is null)
        {
            Assert.False(OperatingSystem.IsLinux() && Environment.Is64BitProcess, "the engine runs on 64-bit Linux");
            return;
        }

        using var a = Transport(true);
        using var b = Transport(true);
        var atB = new Collector(3) { ThrowOnFirst = true };
        b.Start(atB);
        a.Start(new Collector(0));
        var toB = new IPEndPoint(IPAddress.Loopback, b.LocalRtpPort).Serialize();

        for (var i = 0; i < 4; i++)
        {
            a.Send([(byte)i], toB, rtcp: false);
        }

        await atB.Done.WaitAsync(Patience);
        Assert.Equal([1, 2, 3], atB.Received.Select(r => (int)r.Data[0]));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Dispose_ReturnsThePortsAndStopsSending(bool useEngine)
    {
        var a = Transport(useEngine);
        var port = a.LocalRtpPort;
        a.Start(new Collector(0));
        a.Dispose();

        Assert.False(a.Send([1], new IPEndPoint(IPAddress.Loopback, 9).Serialize(), rtcp: false));

        // The port pair is free again: the OS lets us bind it ourselves.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
        Assert.Equal(port, ((IPEndPoint)probe.LocalEndPoint!).Port);
    }

    [Fact]
    public async Task Engine_CountsItsSystemCalls()
    {
        if (_engine is null)
        {
            Assert.False(OperatingSystem.IsLinux() && Environment.Is64BitProcess, "the engine runs on 64-bit Linux");
            return;
        }

        using var a = Transport(true);
        using var b = Transport(true);
        var atB = new Collector(10);
        b.Start(atB);
        a.Start(new Collector(0));
        var before = _engine!.SystemCalls;
        var toB = new IPEndPoint(IPAddress.Loopback, b.LocalRtpPort).Serialize();
        for (var i = 0; i < 10; i++)
        {
            a.Send([(byte)i], toB, rtcp: false);
        }

        await atB.Done.WaitAsync(Patience);
        Assert.True(_engine.SystemCalls - before >= 11, $"{_engine.SystemCalls - before} calls for 10 sends and their receipt");
        Assert.True(_engine.DatagramsReceived >= 10);
    }

    [Fact]
    public void Dispose_EngineStoppedFirst_TransportsStillCloseCleanly()
    {
        if (_engine is null)
        {
            Assert.False(OperatingSystem.IsLinux() && Environment.Is64BitProcess, "the engine runs on 64-bit Linux");
            return;
        }

        var a = Transport(true);
        a.Start(new Collector(0));
        _engine.Dispose();

        a.Dispose();
        var b = Transport(true);
        Assert.Throws<ObjectDisposedException>(() => b.Start(new Collector(0)));
        b.Dispose();
    }

    private sealed class Collector(int wanted) : IMediaTransportReceiver
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public bool ThrowOnFirst { get; init; }

        public ConcurrentQueue<(byte[] Data, IPEndPoint Source, bool Rtcp)> Received { get; } = new();

        public ConcurrentQueue<long> Arrivals { get; } = new();

        public Task Done => _done.Task;

        public void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress source, bool rtcp, long arrivalTimestamp)
        {
            Arrivals.Enqueue(arrivalTimestamp);
            if (Interlocked.Increment(ref _calls) == 1 && ThrowOnFirst)
            {
                throw new InvalidOperationException("receiver bug");
            }

            var endPoint = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(source);
            Received.Enqueue((datagram.ToArray(), endPoint, rtcp));
            if (Received.Count >= wanted)
            {
                _done.TrySetResult();
            }
        }
    }
}
