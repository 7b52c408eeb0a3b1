using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>
/// The timed-send arena grows instead of refusing datagrams, takes datagrams up to 1,500 bytes, and
/// keeps its guarantees (deferred closes, draining on dispose) while an old arena is still in the
/// kernel's hands. Real loopback sockets; the queued chains are due far enough ahead that they are
/// all queued before the first leaves. No assertion on a duration.
/// </summary>
public sealed class TimedSendRingGrowthTests
{
    private const int PacketBytes = 172; // a 20 ms G.711 packet
    private const int SmallRingSlots = 64;

    private static TimedSendRing CreateRing(int slots)
    {
        var ring = TimedSendRing.TryCreate(slots, out var error);
        Assert.True(ring is not null, $"io_uring is needed for timed sends on this machine: {error}");
        return ring!;
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static long Milliseconds(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    // Datagram: sender index, sequence number, due timestamp, then a pattern derived from the sequence.
    private static void Fill(byte[] datagram, int sender, int sequence, long due)
    {
        datagram[0] = (byte)sender;
        BinaryPrimitives.WriteInt32BigEndian(datagram.AsSpan(1), sequence);
        BinaryPrimitives.WriteInt64BigEndian(datagram.AsSpan(5), due);
        for (var i = 13; i < datagram.Length; i++)
        {
            datagram[i] = (byte)(sequence + i);
        }
    }

    private static bool IsIntact(ReadOnlySpan<byte> datagram, int sequence)
    {
        for (var i = 13; i < datagram.Length; i++)
        {
            if (datagram[i] != (byte)(sequence + i))
            {
                return false;
            }
        }

        return true;
    }

    private static void WaitForCompletion(TimedSendRing ring)
    {
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (ring.ChainsCompleted < ring.ChainsBegun && Stopwatch.GetTimestamp() < deadline)
        {
            Thread.Sleep(1);
            ring.Reap();
        }

        Assert.Equal(ring.ChainsBegun, ring.ChainsCompleted);
    }

    // Everything already on a socket's receive queue, without waiting.
    private static List<byte[]> Drain(Socket receiver)
    {
        var datagrams = new List<byte[]>();
        var buffer = new byte[2048];
        while (receiver.Poll(0, SelectMode.SelectRead))
        {
            var n = receiver.Receive(buffer);
            datagrams.Add(buffer[..n]);
        }

        return datagrams;
    }

    private sealed class Reader
    {
        private readonly Thread _thread;

        public Reader(Socket receiver, int expected)
        {
            receiver.ReceiveTimeout = 15_000;
            _thread = new Thread(() =>
            {
                var buffer = new byte[2048];
                try
                {
                    for (var i = 0; i < expected; i++)
                    {
                        var n = receiver.Receive(buffer);
                        var at = Stopwatch.GetTimestamp();
                        var sequence = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(1));
                        Received.Add((sequence, BinaryPrimitives.ReadInt64BigEndian(buffer.AsSpan(5)), at, n == PacketBytes && IsIntact(buffer.AsSpan(0, n), sequence)));
                    }
                }
                catch (SocketException)
                {
                    // A receive timed out: the count assertion reports it.
                }
            })
            { IsBackground = true };
            _thread.Start();
        }

        public List<(int Sequence, long Due, long At, bool Intact)> Received { get; } = [];

        public void Join() => Assert.True(_thread.Join(TimeSpan.FromSeconds(30)), "a reader did not finish");
    }

    [Fact]
    public void SmallArena_GrowsForTenTimesItsSlots_WithoutAFallback_ThenSteadyStateAllocatesNothing()
    {
        const int senders = 8;
        const int growthChains = 96;  // 768 datagrams in flight at once: 12 x the 64 initial slots
        const int steadyChains = 200;
        const int window = 32;        // chains in flight in steady state (256 datagrams)
        var receivers = Enumerable.Range(0, senders).Select(_ => Bound()).ToArray();
        var sockets = Enumerable.Range(0, senders).Select(_ => Bound()).ToArray();
        try
        {
            var destinations = receivers.Select(r => r.LocalEndPoint!.Serialize()).ToArray();
            var fds = sockets.Select(s => (int)s.SafeHandle.DangerousGetHandle()).ToArray();
            foreach (var receiver in receivers)
            {
                receiver.ReceiveBufferSize = 1 << 20;
            }

            var readers = receivers.Select(r => new Reader(r, growthChains + steadyChains)).ToArray();
            var datagram = new byte[PacketBytes];
            var refused = 0;
            var sequence = 0;
            using var ring = CreateRing(SmallRingSlots);

            // Growth: every chain is queued before the first is due (300 ms ahead), so all 768
            // datagrams are in the arena at once. Each chain holds one datagram per socket, at the
            // same position, as a clock's ticks do.
            var first = Stopwatch.GetTimestamp() + Milliseconds(300);
            for (var chain = 0; chain < growthChains; chain++)
            {
                var due = first + Milliseconds(chain * 0.25);
                ring.BeginChain(due);
                for (var s = 0; s < senders; s++)
                {
                    Fill(datagram, s, sequence, due);
                    refused += ring.TryAdd(fds[s], datagram, destinations[s]) ? 0 : 1;
                }

                sequence++;
                ring.EndChain();
                ring.Submit();
            }

            Assert.Equal(0, refused);
            Assert.True(ring.ArenaGrowths >= 1, "the arena did not grow");
            Assert.True(ring.ArenaBytes >= 4 * SmallRingSlots * TimedSendRing.SlotBytes, $"an arena of {ring.ArenaBytes} bytes after {growthChains * senders} datagrams were queued at once");
            WaitForCompletion(ring);
            Assert.Equal(1, ring.ArenasHeld); // the outgrown arenas were freed once their chains completed

            var growths = ring.ArenaGrowths;
            var arenaBytes = ring.ArenaBytes;

            // Steady state: at most `window` chains in flight, well within the grown arena.
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            for (var chain = 0; chain < steadyChains; chain++)
            {
                while (ring.ChainsBegun - ring.ChainsCompleted >= window)
                {
                    Thread.Sleep(1);
                    ring.Reap();
                }

                var due = Stopwatch.GetTimestamp() + Milliseconds(20);
                ring.BeginChain(due);
                for (var s = 0; s < senders; s++)
                {
                    Fill(datagram, s, sequence, due);
                    refused += ring.TryAdd(fds[s], datagram, destinations[s]) ? 0 : 1;
                }

                sequence++;
                ring.EndChain();
                ring.Submit();
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            WaitForCompletion(ring);

            Assert.Equal(0, refused);
            Assert.Equal(0, allocated);
            Assert.Equal(growths, ring.ArenaGrowths);
            Assert.Equal(arenaBytes, ring.ArenaBytes);
            Assert.Equal(1, ring.ArenasHeld);

            foreach (var reader in readers)
            {
                reader.Join();
                Assert.Equal(Enumerable.Range(0, growthChains + steadyChains), reader.Received.Select(r => r.Sequence)); // all, in order
                Assert.All(reader.Received, r => Assert.True(r.Intact, $"datagram {r.Sequence} arrived damaged"));
                Assert.All(reader.Received, r => Assert.True(r.At >= r.Due, $"datagram {r.Sequence} left before its due time"));
            }
        }
        finally
        {
            foreach (var socket in receivers.Concat(sockets))
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public void DatagramsOf1000And1500Bytes_AreQueued_AndArriveIntact()
    {
        using var receiver = Bound();
        using var sender = Bound();
        using var ring = CreateRing(SmallRingSlots);
        var destination = receiver.LocalEndPoint!.Serialize();
        var fd = (int)sender.SafeHandle.DangerousGetHandle();
        var sizes = new[] { 1000, PacketBytes, TimedSendRing.MaxDatagramBytes };
        Assert.Equal(1500, TimedSendRing.MaxDatagramBytes);

        var due = Stopwatch.GetTimestamp() + Milliseconds(20);
        ring.BeginChain(due);
        for (var i = 0; i < sizes.Length; i++)
        {
            var datagram = new byte[sizes[i]];
            Fill(datagram, 0, i, due);
            Assert.True(ring.TryAdd(fd, datagram, destination), $"a datagram of {sizes[i]} bytes was not queued");
        }

        ring.EndChain();
        ring.Submit();

        receiver.ReceiveTimeout = 10_000;
        var buffer = new byte[2048];
        for (var i = 0; i < sizes.Length; i++)
        {
            var n = receiver.Receive(buffer);
            var at = Stopwatch.GetTimestamp();
            Assert.Equal(sizes[i], n);
            Assert.Equal(i, BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(1)));
            Assert.True(IsIntact(buffer.AsSpan(0, n), i), $"the datagram of {n} bytes arrived damaged");
            Assert.True(at >= due, "a timed datagram left before its due time");
        }

        WaitForCompletion(ring);
    }

    // Fills the 64-slot arena with a chain of 60 datagrams (20 ms G.711), then opens a second chain
    // whose fifth datagram does not fit: the arena grows and the second chain's first four move.
    private static (TimedSendRing Ring, int Count) QueueAcrossAGrowth(Socket sender, SocketAddress destination, long due)
    {
        var ring = CreateRing(SmallRingSlots);
        var fd = (int)sender.SafeHandle.DangerousGetHandle();
        var datagram = new byte[PacketBytes];
        var sequence = 0;
        foreach (var (count, at) in new[] { (60, due), (10, due + Milliseconds(1)) })
        {
            ring.BeginChain(at);
            for (var i = 0; i < count; i++)
            {
                Fill(datagram, 0, sequence, at);
                Assert.True(ring.TryAdd(fd, datagram, destination), $"datagram {sequence} was not queued");
                sequence++;
            }

            ring.EndChain();
            ring.Submit();
        }

        Assert.Equal(1, ring.ArenaGrowths);
        Assert.Equal(2, ring.ArenasHeld);
        Assert.Equal(2 * SmallRingSlots * TimedSendRing.SlotBytes, ring.ArenaBytes);
        return (ring, sequence);
    }

    private static void AssertAllIntact(List<byte[]> datagrams, int count)
    {
        Assert.Equal(Enumerable.Range(0, count), datagrams.Select(d => BinaryPrimitives.ReadInt32BigEndian(d.AsSpan(1))).Order());
        Assert.All(datagrams, d => Assert.True(d.Length == PacketBytes && IsIntact(d, BinaryPrimitives.ReadInt32BigEndian(d.AsSpan(1))), "a datagram arrived damaged"));
    }

    [Fact]
    public void AfterQueuedSends_WaitsForTheChainsInTheOldArena_AndTheMovedChain()
    {
        using var receiver = Bound();
        using var sender = Bound();
        receiver.ReceiveBufferSize = 1 << 20;
        var (ring, count) = QueueAcrossAGrowth(sender, receiver.LocalEndPoint!.Serialize(), Stopwatch.GetTimestamp() + Milliseconds(150));
        using (ring)
        {
            List<byte[]>? onSocketWhenRun = null;
            using var ran = new ManualResetEventSlim();
            ring.AfterQueuedSends(() =>
            {
                onSocketWhenRun = Drain(receiver);
                ran.Set();
            });
            ring.Reap();
            Assert.False(ran.IsSet, "the close ran while sends for its socket were still queued");

            WaitForCompletion(ring);
            Assert.True(ran.Wait(TimeSpan.FromSeconds(10)));
            AssertAllIntact(onSocketWhenRun!, count);
            Assert.Equal(1, ring.ArenasHeld); // the old arena was freed once its chain completed
        }
    }

    [Fact]
    public void Dispose_WhileTheOldArenaIsDraining_LetsEveryQueuedDatagramLeave()
    {
        using var receiver = Bound();
        using var sender = Bound();
        receiver.ReceiveBufferSize = 1 << 20;
        var (ring, count) = QueueAcrossAGrowth(sender, receiver.LocalEndPoint!.Serialize(), Stopwatch.GetTimestamp() + Milliseconds(100));

        ring.Dispose();

        Assert.Equal(ring.ChainsBegun, ring.ChainsCompleted);
        Assert.Equal(0, ring.ArenasHeld); // drained, so every arena was freed
        AssertAllIntact(Drain(receiver), count);
    }

    [Fact]
    public void MoreCompletionsThanTheCompletionRingHolds_AreAllCollected()
    {
        // 10,000 one-datagram chains all due at once post 10,000 completions into a ring of 8,192:
        // the rest wait in the kernel's overflow list until Reap flushes them.
        using var receiver = Bound();
        using var sender = Bound();
        using var ring = CreateRing(SmallRingSlots);
        var destination = receiver.LocalEndPoint!.Serialize();
        var fd = (int)sender.SafeHandle.DangerousGetHandle();
        var due = Stopwatch.GetTimestamp() + Milliseconds(200);
        var refused = 0;
        for (var i = 0; i < 10_000; i++)
        {
            ring.BeginChain(due);
            refused += ring.TryAdd(fd, [(byte)i, (byte)(i >> 8)], destination) ? 0 : 1;
            ring.EndChain();
        }

        ring.Submit();
        Assert.Equal(0, refused);
        Thread.Sleep(400); // no Reap until (normally) every chain has completed
        WaitForCompletion(ring);
        Assert.Equal(10_000, ring.ChainsBegun);
        Assert.Equal(1, ring.ArenasHeld);
    }
}
