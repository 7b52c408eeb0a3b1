using System.Net;
using OpenSma.Media.Clock;

namespace OpenSma.Media.Tests.Clock;

public sealed class DeferredSendsTests
{
    private static readonly SocketAddress Destination = new IPEndPoint(IPAddress.Loopback, 30000).Serialize();

    private sealed class Sender(List<(string Name, byte First, int Length)> log, string name, bool throws = false) : IDeferredSender
    {
        public void SendDeferred(ReadOnlySpan<byte> datagram, SocketAddress destination)
        {
            Assert.Same(Destination, destination);
            log.Add((name, datagram[0], datagram.Length));
            if (throws)
            {
                throw new InvalidOperationException("send failed");
            }
        }
    }

    [Fact]
    public void TryDefer_OutsideATick_IsRefused()
    {
        var log = new List<(string, byte, int)>();
        Assert.False(DeferredSends.TryDefer(new Sender(log, "a"), [1], Destination, TimeSpan.FromMilliseconds(10)));
    }

    [Fact]
    public void SendDue_SendsCopiesInDueOrder_EqualDueTimesInTheOrderTheyCame_AndGrowsAsNeeded()
    {
        var log = new List<(string Name, byte First, int Length)>();
        var errors = new List<Exception>();
        var queue = new DeferredSends(errors.Add);
        var a = new Sender(log, "a");
        var b = new Sender(log, "b");
        var buffer = new byte[100];

        // Tick at 1,000 ticks: 40 datagrams due 0-9 ms after it, in a scrambled order.
        queue.Enter(1_000);
        for (var i = 0; i < 40; i++)
        {
            buffer[0] = (byte)i;
            var after = TimeSpan.FromMilliseconds((i * 7) % 10);
            Assert.True(DeferredSends.TryDefer(i % 2 == 0 ? a : b, buffer.AsSpan(0, 10 + i), Destination, after));
            buffer[0] = 255; // the caller's buffer is its scratch: the queue kept a copy
        }

        Assert.False(DeferredSends.TryDefer(a, new byte[DeferredSends.MaxDatagramBytes + 1], Destination, TimeSpan.Zero));
        DeferredSends.Leave();
        Assert.Equal(40, queue.Count);
        Assert.Equal(64, queue.Capacity);

        queue.SendDue(1_000 + TimeSpan.FromMilliseconds(4).Ticks);
        var early = log.Count;
        queue.SendDue(long.MaxValue);

        var expected = Enumerable.Range(0, 40).OrderBy(i => (i * 7) % 10).ThenBy(i => i).ToList();
        Assert.Equal(expected, log.Select(l => (int)l.First));
        Assert.Equal(expected.Select(i => 10 + i), log.Select(l => l.Length));
        Assert.Equal(expected.Select(i => i % 2 == 0 ? "a" : "b"), log.Select(l => l.Name));
        Assert.Equal(expected.Count(i => (i * 7) % 10 <= 4), early);
        Assert.Equal(0, queue.Count);
        Assert.Empty(errors);
    }

    [Fact]
    public void SendDue_ASenderThatThrows_IsReported_AndTheRestStillLeave()
    {
        var log = new List<(string Name, byte First, int Length)>();
        var errors = new List<Exception>();
        var queue = new DeferredSends(errors.Add);
        queue.Enter(0);
        Assert.True(DeferredSends.TryDefer(new Sender(log, "bad", throws: true), [1], Destination, TimeSpan.FromMilliseconds(1)));
        Assert.True(DeferredSends.TryDefer(new Sender(log, "good"), [2], Destination, TimeSpan.FromMilliseconds(2)));
        DeferredSends.Leave();

        queue.SendDue(long.MaxValue);

        Assert.Equal(["bad", "good"], log.Select(l => l.Name));
        Assert.IsType<InvalidOperationException>(Assert.Single(errors));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Clear_DropsEverything_AndTheSlotsAreReused()
    {
        var log = new List<(string Name, byte First, int Length)>();
        var queue = new DeferredSends(_ => { });
        var sender = new Sender(log, "a");
        for (var round = 0; round < 3; round++)
        {
            queue.Enter(0);
            for (var i = 0; i < 16; i++)
            {
                Assert.True(DeferredSends.TryDefer(sender, [(byte)i], Destination, TimeSpan.FromMilliseconds(1)));
            }

            DeferredSends.Leave();
            queue.Clear();
        }

        queue.SendDue(long.MaxValue);
        Assert.Empty(log);
        Assert.Equal(0, queue.Count);
        Assert.Equal(16, queue.Capacity);
    }
}
