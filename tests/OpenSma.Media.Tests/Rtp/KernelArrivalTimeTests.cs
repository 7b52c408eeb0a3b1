using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenSma.Media.Codecs;
using OpenSma.Media.Rtp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>
/// Arrival times over real loopback sockets while the engine's receive thread is held busy: the
/// datagrams queue in the socket buffer, and the times they reach the receiver with must still be
/// when they were sent (the kernel's receive time), not when the thread got to them. Bounds are
/// causal (the kernel stamps a loopback datagram inside the sender's sendto, so its time lies
/// between readings taken around that call), never how fast the machine is.
/// </summary>
public sealed class KernelArrivalTimeTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly long Millisecond = Stopwatch.Frequency / 1000;
    private readonly RtpPortAllocator _ports = new(32440, 32479);

    // One receive thread, so a receiver that blocks holds up every socket of the engine.
    private readonly MediaSocketEngine? _engine = MediaSocketEngine.IsSupported ? new MediaSocketEngine(1) : null;
    private readonly Socket _sender = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public KernelArrivalTimeTests() => _sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));

    public void Dispose()
    {
        _engine?.Dispose();
        _sender.Dispose();
    }

    private UdpMediaTransport Transport(MediaSocketEngine? engine)
    {
        var lease = _ports.TryAllocate(IPAddress.Loopback) ?? throw new InvalidOperationException("no ports");
        return new UdpMediaTransport(lease, engine);
    }

    private bool EngineMissing()
    {
        if (_engine is null)
        {
            Assert.False(OperatingSystem.IsLinux() && Environment.Is64BitProcess, "the engine runs on 64-bit Linux");
            return true;
        }

        return false;
    }

    [Fact]
    public async Task Engine_ReceiveThreadHeldBusy_ArrivalTimesKeepTheSendSpacing()
    {
        if (EngineMissing())
        {
            return;
        }

        using var transport = Transport(_engine);
        using var receiver = new Recorder(wanted: 9, stallOnFirst: true);
        transport.Start(receiver);
        var destination = new IPEndPoint(IPAddress.Loopback, transport.LocalRtpPort);

        _sender.SendTo([0], destination);
        Assert.True(receiver.Stalled.Wait(Patience), "the receiver never saw the first datagram");

        // The receive thread is inside the first datagram's call: these eight queue up.
        var before = new long[9];
        var after = new long[9];
        for (var i = 1; i <= 8; i++)
        {
            before[i] = Stopwatch.GetTimestamp();
            _sender.SendTo([(byte)i], destination);
            after[i] = Stopwatch.GetTimestamp();
            Thread.Sleep(20);
        }

        var released = Stopwatch.GetTimestamp();
        receiver.Release();
        await receiver.Done.WaitAsync(Patience);

        var got = receiver.Received.ToDictionary(r => r.Index);
        Assert.Equal(Enumerable.Range(0, 9), got.Keys.Order());
        Assert.True(_engine!.KernelTimestampedDatagrams >= 9, $"{_engine.KernelTimestampedDatagrams} of 9 datagrams had the kernel's receive time");
        var margin = 5 * Millisecond;
        for (var i = 1; i <= 8; i++)
        {
            // They did wait: processed only after the stall ended ...
            Assert.True(got[i].Processed >= released, $"datagram {i} was processed before the stall ended");

            // ... yet each carries the moment it was sent, not the moment it was processed.
            Assert.InRange(got[i].Arrival, before[i] - margin, after[i] + margin);
            if (i > 1)
            {
                var spacing = (got[i].Arrival - got[i - 1].Arrival) / (double)Millisecond;
                Assert.True(spacing >= 10, $"datagrams {i - 1} and {i} arrived {spacing:F2} ms apart, sent at least 20 ms apart");
            }
        }
    }

    [Fact]
    public async Task Session_ReceiveThreadHeldBusy_JitterIsNotTheStall()
    {
        if (EngineMissing())
        {
            return;
        }

        // Another leg's receiver holds the engine's only receive thread while the session's RTP queues.
        using var blocker = Transport(_engine);
        using var stall = new Recorder(wanted: 1, stallOnFirst: true);
        blocker.Start(stall);
        using var session = new RtpSession(Transport(_engine), new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), TimeProvider.System);
        session.Start();
        var toSession = new IPEndPoint(IPAddress.Loopback, session.LocalRtpPort);
        _sender.SendTo([0], new IPEndPoint(IPAddress.Loopback, blocker.LocalRtpPort));
        Assert.True(stall.Stalled.Wait(Patience), "the blocking receiver never ran");

        // RTP timestamps follow the real send times, so a receiver measuring when packets reached
        // the host sees (almost) no jitter; one measuring when it processed them sees 20 ms
        // steps for every packet queued behind the stall (RFC 3550 estimate about 12 ms after 16).
        const int Packets = 16;
        var frame = new short[160];
        var first = 0L;
        for (var i = 0; i < Packets; i++)
        {
            var now = Stopwatch.GetTimestamp();
            first = i == 0 ? now : first;
            var timestamp = (uint)((now - first) * 8000 / Stopwatch.Frequency);
            _sender.SendTo(PeerPackets.Audio((ushort)(100 + i), 5000 + timestamp, frame), toSession);
            Thread.Sleep(20);
        }

        stall.Release();
        var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
        while (session.GetStatistics().PacketsReceived < Packets && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10);
        }

        var statistics = session.GetStatistics();
        Assert.Equal(Packets, statistics.PacketsReceived);
        Assert.True(statistics.JitterMilliseconds < 5, $"jitter {statistics.JitterMilliseconds:F2} ms: the receive thread's stall was counted");
    }

    [Fact]
    public async Task Engine_NoTimestampMessage_DatagramsCarryTheTimeTheyWereTaken()
    {
        if (EngineMissing())
        {
            return;
        }

        var lease = _ports.TryAllocate(IPAddress.Loopback) ?? throw new InvalidOperationException("no ports");
        using var transport = new UdpMediaTransport(lease, _engine);
        using var receiver = new Recorder(wanted: 4, stallOnFirst: true);
        transport.Start(receiver);

        // The engine turned SO_TIMESTAMPNS on; off again, recvmmsg gets no control message.
        lease.RtpSocket.SetRawSocketOption(1, 35, BitConverter.GetBytes(0));
        var destination = new IPEndPoint(IPAddress.Loopback, transport.LocalRtpPort);
        _sender.SendTo([0], destination);
        Assert.True(receiver.Stalled.Wait(Patience), "the receiver never saw the first datagram");
        var stamped = _engine!.KernelTimestampedDatagrams;
        for (var i = 1; i <= 3; i++)
        {
            _sender.SendTo([(byte)i], destination);
            Thread.Sleep(20);
        }

        var released = Stopwatch.GetTimestamp();
        receiver.Release();
        await receiver.Done.WaitAsync(Patience);

        // Taken from the socket after the stall: that is the time they carry (not 0, not a guess).
        Assert.All(receiver.Received.Where(r => r.Index > 0), r => Assert.InRange(r.Arrival, released, r.Processed));
        Assert.Equal(stamped, _engine.KernelTimestampedDatagrams);
    }

    [Fact]
    public async Task AsyncSocketLoops_ReportNoArrivalTime_EngineReportsOneBeforeProcessing()
    {
        using var portable = Transport(engine: null);
        using var atPortable = new Recorder(wanted: 3, stallOnFirst: false);
        portable.Start(atPortable);
        for (var i = 0; i < 3; i++)
        {
            _sender.SendTo([(byte)i], new IPEndPoint(IPAddress.Loopback, portable.LocalRtpPort));
        }

        await atPortable.Done.WaitAsync(Patience);
        Assert.All(atPortable.Received, r => Assert.Equal(IMediaTransportReceiver.ArrivalUnknown, r.Arrival));

        if (EngineMissing())
        {
            return;
        }

        using var served = Transport(_engine);
        using var atServed = new Recorder(wanted: 3, stallOnFirst: false);
        served.Start(atServed);
        var sent = Stopwatch.GetTimestamp();
        for (var i = 0; i < 3; i++)
        {
            _sender.SendTo([(byte)i], new IPEndPoint(IPAddress.Loopback, served.LocalRtpPort));
        }

        await atServed.Done.WaitAsync(Patience);
        Assert.All(atServed.Received, r => Assert.InRange(r.Arrival, sent - Millisecond, r.Processed));
    }

    private sealed class Recorder(int wanted, bool stallOnFirst) : IMediaTransportReceiver, IDisposable
    {
        private readonly ManualResetEventSlim _release = new();
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public ManualResetEventSlim Stalled { get; } = new();

        public ConcurrentQueue<(int Index, long Arrival, long Processed)> Received { get; } = new();

        public Task Done => _done.Task;

        public void Release() => _release.Set();

        public void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress source, bool rtcp, long arrivalTimestamp)
        {
            if (Interlocked.Increment(ref _calls) == 1 && stallOnFirst)
            {
                Stalled.Set();
                _release.Wait(Patience);
            }

            Received.Enqueue((datagram[0], arrivalTimestamp, Stopwatch.GetTimestamp()));
            if (Received.Count >= wanted)
            {
                _done.TrySetResult();
            }
        }

        public void Dispose()
        {
            // A test that failed early must not leave the engine's thread waiting.
            _release.Set();
            _release.Dispose();
            Stalled.Dispose();
        }
    }
}
