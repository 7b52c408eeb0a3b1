using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using OpenSma.Media.Clock;
using OpenSma.Media.Codecs;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>
/// A 10 ms stream from a media clock on the system time over real loopback sockets: the second
/// packet of each tick must not reach the receiver before its due time, 10 ms after the tick, with
/// timed sends (a lead: the kernel sends it from an io_uring timeout) and without (the clock thread
/// sends it itself). Arrival is the kernel's receive time, which for loopback is taken inside the
/// sender's sendmsg. The bound is causal (never before), not how fast the machine is.
/// </summary>
public sealed class PacketPacingSocketTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly RtpPortAllocator _ports = new(32480, 32499);
    private readonly MediaSocketEngine? _engine = MediaSocketEngine.IsSupported ? new MediaSocketEngine(1) : null;

    public void Dispose() => _engine?.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public async Task Ptime10_SecondPacketOfEachTick_ArrivesNoSoonerThanItsDueTime(int leadMilliseconds)
    {
        if (_engine is null)
        {
            Assert.False(OperatingSystem.IsLinux() && Environment.Is64BitProcess, "the engine runs on 64-bit Linux");
            return;
        }

        const int Wanted = 30;
        using var receiving = new UdpMediaTransport(_ports.TryAllocate(IPAddress.Loopback)!, _engine);
        var receiver = new Receiver(Wanted);
        receiving.Start(receiver);
        var timedBefore = MediaSocketEngine.TimedSends;

        long firstTick;
        long clockStart;
        using (var clock = new MediaClock(TimeProvider.System, new MediaClockOptions { SendLead = TimeSpan.FromMilliseconds(leadMilliseconds) }))
        using (var session = new RtpSession(new UdpMediaTransport(_ports.TryAllocate(IPAddress.Loopback)!, _engine), new RtpSessionOptions(AudioCodec.Pcmu, 0, null) { PacketTimeMilliseconds = 10 }, TimeProvider.System))
        {
            session.SetRemote(new IPEndPoint(IPAddress.Loopback, receiving.LocalRtpPort));
            session.Start();
            receiver.Ssrc = session.Ssrc;
            var first = new FirstTick(session);
            using (clock.Subscribe(first))
            {
                await receiver.Done.WaitAsync(Patience);
            }

            firstTick = first.Tick;
            clockStart = clock.StartTimestamp;
            Assert.Equal(leadMilliseconds > 0, clock.SendsTimed);
        }

        var packets = receiver.Packets.Take(Wanted).ToList();
        Assert.True(_engine.KernelTimestampedDatagrams >= Wanted, $"{_engine.KernelTimestampedDatagrams} datagrams had the kernel's receive time");
        if (leadMilliseconds > 0)
        {
            Assert.True(MediaSocketEngine.TimedSends - timedBefore >= Wanted, "the stream's packets did not go through the clock's ring");
        }

        // The run began on the session's first tick: packet n (timestamp + 80 n) is due n x 10 ms after it.
        Assert.True(packets[0].Header.Marker);
        var millisecond = Stopwatch.Frequency / 1000;
        var runStart = clockStart + (firstTick * 20 * millisecond);
        for (var i = 0; i < packets.Count; i++)
        {
            var (header, arrival) = packets[i];
            Assert.Equal(unchecked((ushort)(packets[0].Header.SequenceNumber + i)), header.SequenceNumber);
            var samples = unchecked(header.Timestamp - packets[0].Header.Timestamp);
            Assert.Equal((uint)(i * 80), samples);
            var due = runStart + (samples / 8 * millisecond);

            // Within the kernel timestamp's conversion to the Stopwatch (tens of microseconds at most).
            Assert.True(arrival >= due - (millisecond / 4), $"packet {i} arrived {(due - arrival) / (double)millisecond:F3} ms before its due time");
        }
    }

    // Notes the first tick the session is given (its run begins there).
    private sealed class FirstTick(IMediaClockListener inner) : IMediaClockListener
    {
        private long _tick = -1;

        public long Tick => Volatile.Read(ref _tick);

        public void OnTick(long tick)
        {
            if (_tick < 0)
            {
                Volatile.Write(ref _tick, tick);
            }

            inner.OnTick(tick);
        }
    }

    private sealed class Receiver(int wanted) : IMediaTransportReceiver
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<(RtpHeader Header, long Arrival)> Packets { get; } = new();

        public Task Done => _done.Task;

        // Only this stream's packets: the previous case's ports are handed out again, and what its
        // clock had queued for them may still arrive.
        public uint? Ssrc { get; set; }

        public void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress source, bool rtcp, long arrivalTimestamp)
        {
            if (rtcp || !RtpPacket.TryRead(datagram, out var header, out _) || header.Ssrc != Ssrc)
            {
                return;
            }

            Packets.Enqueue((header, arrivalTimestamp));
            if (Packets.Count >= wanted)
            {
                _done.TrySetResult();
            }
        }
    }
}
