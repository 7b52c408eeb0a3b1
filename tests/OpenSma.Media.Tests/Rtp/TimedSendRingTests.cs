using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenSma.Media.Clock;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>
/// Timed sends through io_uring on real loopback sockets. The point of the ring is that the kernel
/// sends while the thread that queued the datagrams cannot run, so these tests block that thread
/// until the datagrams have arrived; no test asserts a duration.
/// </summary>
public sealed class TimedSendRingTests
{
    private static TimedSendRing CreateRing(int slots = 256)
    {
        var ring = TimedSendRing.TryCreate(slots, out var error);
        Assert.True(ring is not null, $"io_uring is needed for timed sends on this machine: {error}");
        return ring!;
    }

    private static (Socket Receiver, Socket Sender, SocketAddress Destination) Sockets()
    {
        var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (receiver, sender, receiver.LocalEndPoint!.Serialize());
    }

    [Fact]
    public void QueuedDatagrams_LeaveAtTheirDueTime_WhileTheQueuingThreadIsBlocked()
    {
        var (receiver, sender, destination) = Sockets();
        using (receiver)
        using (sender)
        {
            var arrived = new ManualResetEventSlim();
            var received = new List<(byte First, long At)>();
            var reader = new Thread(() =>
            {
                var buffer = new byte[64];
                for (var i = 0; i < 3; i++)
                {
                    var n = receiver.Receive(buffer);
                    received.Add((buffer[0], Stopwatch.GetTimestamp()));
                    Assert.Equal(4, n);
                }

                arrived.Set();
            });
            reader.Start();

            long due = 0;
            var blockedUntilArrival = false;
            var queuer = new Thread(() =>
            {
                using var ring = CreateRing();
                due = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 20); // 50 ms from now
                ring.BeginChain(due);
                for (byte i = 1; i <= 3; i++)
                {
                    Assert.True(ring.TryAdd((int)sender.SafeHandle.DangerousGetHandle(), [i, 0, 0, 0], destination));
                }

                ring.EndChain();
                ring.Submit();

                // This thread makes no system call of its own from here until the datagrams arrived.
                blockedUntilArrival = arrived.Wait(TimeSpan.FromSeconds(10));
                ring.Reap();
                Assert.Equal(1, ring.ChainsCompleted);
            });
            queuer.Start();
            queuer.Join();
            reader.Join(TimeSpan.FromSeconds(10));

            Assert.True(blockedUntilArrival, "the datagrams did not arrive while the queuing thread waited");
            Assert.Equal([1, 2, 3], received.Select(r => r.First));
            Assert.All(received, r => Assert.True(r.At >= due, "a timed datagram left before its due time"));
        }
    }

    [Fact]
    public void AfterQueuedSends_RunsOnlyOnceTheQueuedDatagramsHaveLeft()
    {
        var (receiver, sender, destination) = Sockets();
        using (receiver)
        using (sender)
        using (var ring = CreateRing())
        {
            ring.BeginChain(Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 10)); // 100 ms from now
            Assert.True(ring.TryAdd((int)sender.SafeHandle.DangerousGetHandle(), [7, 7, 7], destination));
            ring.EndChain();
            ring.Submit();

            var availableWhenRun = -1;
            using var ran = new ManualResetEventSlim();
            ring.AfterQueuedSends(() =>
            {
                availableWhenRun = receiver.Available;
                ran.Set();
            });
            ring.Reap();
            Assert.False(ran.IsSet, "the close ran while a send for its socket was still queued");

            var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
            while (!ran.IsSet && Stopwatch.GetTimestamp() < deadline)
            {
                Thread.Sleep(5);
                ring.Reap();
            }

            Assert.True(ran.Wait(TimeSpan.FromSeconds(10)));
            Assert.True(availableWhenRun > 0, "the datagram was not on the receiving socket when the close ran");
        }
    }

    [Fact]
    public void ManyChains_ReuseTheArena_AndEveryDatagramArrivesInOrder()
    {
        var (receiver, sender, destination) = Sockets();
        using (receiver)
        using (sender)
        using (var ring = CreateRing(slots: 64))
        {
            receiver.ReceiveBufferSize = 1 << 20;
            var fd = (int)sender.SafeHandle.DangerousGetHandle();
            var start = Stopwatch.GetTimestamp();
            var queued = 0;
            var sent = 0;
            for (var chain = 0; chain < 40; chain++)
            {
                ring.BeginChain(start + (chain * Stopwatch.Frequency / 1000));
                for (var i = 0; i < 10; i++)
                {
                    var value = (ushort)((chain * 10) + i);
                    if (ring.TryAdd(fd, [(byte)(value >> 8), (byte)value], destination))
                    {
                        queued++;
                    }
                    else
                    {
                        // Refused (the submission ring full): what a clock does, send at once.
                        sender.SendTo([(byte)(value >> 8), (byte)value], SocketFlags.None, destination);
                    }

                    sent++;
                }

                ring.EndChain();
                ring.Submit();
            }

            var values = new List<int>();
            var buffer = new byte[8];
            receiver.ReceiveTimeout = 10_000;
            for (var i = 0; i < sent; i++)
            {
                receiver.Receive(buffer);
                values.Add((buffer[0] << 8) | buffer[1]);
            }

            var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
            while (ring.ChainsCompleted < ring.ChainsBegun && Stopwatch.GetTimestamp() < deadline)
            {
                Thread.Sleep(1);
                ring.Reap();
            }

            Assert.True(queued > 64, $"only {queued} datagrams went through the ring: its slots were not reused");
            Assert.Equal(sent, values.Count);
            Assert.Equal(Enumerable.Range(0, sent), values.Order());
            Assert.Equal(ring.ChainsBegun, ring.ChainsCompleted);
        }
    }

    [Fact]
    public void TryAdd_WithNoOpenChain_OrTooBig_IsRefused()
    {
        var (receiver, sender, destination) = Sockets();
        using (receiver)
        using (sender)
        using (var ring = CreateRing())
        {
            var fd = (int)sender.SafeHandle.DangerousGetHandle();
            Assert.False(ring.TryAdd(fd, [1], destination));
            ring.BeginChain(Stopwatch.GetTimestamp());
            Assert.False(ring.TryAdd(fd, new byte[TimedSendRing.MaxDatagramBytes + 1], destination));
            ring.EndChain();
            Assert.Null(TimedSendRing.OpenOnThisThread);
        }
    }

    [Fact]
    public void Dispose_LetsTheQueuedDatagramsLeaveFirst()
    {
        var (receiver, sender, destination) = Sockets();
        using (receiver)
        using (sender)
        {
            var ring = CreateRing();
            ring.BeginChain(Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 10)); // 100 ms from now
            Assert.True(ring.TryAdd((int)sender.SafeHandle.DangerousGetHandle(), [9, 9], destination));
            ring.EndChain();
            ring.Submit();

            ring.Dispose();

            // Nothing was cancelled by closing the ring: the datagram is already on the receiving socket.
            Assert.Equal(ring.ChainsBegun, ring.ChainsCompleted);
            Assert.True(receiver.Available > 0, "the queued datagram did not leave before the ring was closed");
        }
    }

    [Fact]
    public void AheadOfNow_IsTheOpenChainsWait_ForSenderReportTimes()
    {
        using var ring = CreateRing();
        Assert.Equal(TimeSpan.Zero, TimedSendRing.AheadOfNow());
        ring.BeginChain(Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency));
        var ahead = TimedSendRing.AheadOfNow();
        ring.EndChain();

        Assert.InRange(ahead, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.Zero, TimedSendRing.AheadOfNow());
    }

    [Fact]
    public void MediaClock_WithALead_SendsItsListenersPacketsThroughTheRing()
    {
        var (receiver, sender, destination) = Sockets();
        using (receiver)
        using (sender)
        {
            var engine = new MediaSocketEngine(1);
            var sending = new SendingListener(sender, destination, engine);
            using (var clock = new MediaClock(TimeProvider.System, new MediaClockOptions { SendLead = TimeSpan.FromMilliseconds(60) }))
            {
                using var subscription = clock.Subscribe(sending);
                receiver.ReceiveTimeout = 10_000;
                var buffer = new byte[8];
                for (var i = 0; i < 5; i++)
                {
                    receiver.Receive(buffer);
                }

                Assert.True(clock.SendsTimed, clock.TimedSendError);
            }

            Assert.True(sending.QueuedOnRing >= 5, $"{sending.QueuedOnRing} of the clock's sends were queued on its ring");
            engine.Dispose();
        }
    }

    private sealed class SendingListener(Socket socket, SocketAddress destination, MediaSocketEngine engine) : IMediaClockListener
    {
        public int QueuedOnRing { get; private set; }

        public void OnTick(long tick)
        {
            TimedSendRing? queuedOn = null;
            Assert.True(engine.Send(socket, [(byte)tick], destination, ref queuedOn));
            if (queuedOn is not null)
            {
                QueuedOnRing++;
            }
        }
    }
}
