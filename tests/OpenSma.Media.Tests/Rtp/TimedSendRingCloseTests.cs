using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>
/// A close asked for (<see cref="TimedSendRing.AfterQueuedSends"/>) while the clock thread is
/// delivering a due time waits for that due time's chain too: a session that passed its disposed
/// check before the close was asked for may still queue a datagram for the socket in it. Real
/// loopback sockets; no assertion on a duration.
/// </summary>
public sealed class TimedSendRingCloseTests
{
    private const int PacketBytes = 172;
    private const int SmallRingSlots = 64;

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static long Milliseconds(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    private static List<int> DrainSequences(Socket receiver)
    {
        var sequences = new List<int>();
        var buffer = new byte[2048];
        while (receiver.Poll(0, SelectMode.SelectRead))
        {
            var n = receiver.Receive(buffer);
            sequences.Add(BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(0, n)));
        }

        return sequences;
    }

    [Fact]
    public void CloseAskedForDuringADelivery_WaitsForTheChainThatDeliveryOpens_EvenWhenItsFirstDatagramReapsFirst()
    {
        using var receiver = Bound();
        using var sender = Bound();
        receiver.ReceiveBufferSize = 1 << 20;
        var destination = receiver.LocalEndPoint!.Serialize();
        var ring = TimedSendRing.TryCreate(SmallRingSlots, out var error);
        Assert.True(ring is not null, $"io_uring is needed for timed sends on this machine: {error}");
        using (ring)
        {
            var fd = (int)sender.SafeHandle.DangerousGetHandle();
            var datagram = new byte[PacketBytes];
            var now = Stopwatch.GetTimestamp();

            // Chain A fills the arena exactly (64 entries of 320 bytes).
            ring.BeginChain(now + Milliseconds(100));
            for (var sequence = 0; sequence < SmallRingSlots; sequence++)
            {
                BinaryPrimitives.WriteInt32BigEndian(datagram, sequence);
                Assert.True(ring.TryAdd(fd, datagram, destination));
            }

            ring.EndChain();
            ring.Submit();

            // Chain B, due well after A: the close is asked for (another thread disposing the
            // session) after the session passed its check and before its datagram is queued. That
            // datagram finds the arena full, so the ring reaps before it opens chain B.
            List<int>? onSocketWhenRun = null;
            using var ran = new ManualResetEventSlim();
            ring.BeginChain(now + Milliseconds(1500));
            ring.AfterQueuedSends(() =>
            {
                onSocketWhenRun = DrainSequences(receiver);
                ran.Set();
            });
            BinaryPrimitives.WriteInt32BigEndian(datagram, SmallRingSlots);
            Assert.True(ring.TryAdd(fd, datagram, destination));
            ring.EndChain();
            ring.Submit();

            var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
            while (!ran.IsSet && Stopwatch.GetTimestamp() < deadline)
            {
                Thread.Sleep(5);
                ring.Reap();
            }

            Assert.True(ran.Wait(TimeSpan.FromSeconds(10)), "the close never ran");
            Assert.Equal(Enumerable.Range(0, SmallRingSlots + 1), onSocketWhenRun!.Order());
        }
    }
}
