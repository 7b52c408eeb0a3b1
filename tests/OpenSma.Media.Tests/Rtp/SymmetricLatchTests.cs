using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

public sealed class SymmetricLatchTests
{
    private static readonly SocketAddress Signalled = new IPEndPoint(IPAddress.Parse("10.0.0.5"), 4000).Serialize();
    private static readonly SocketAddress Nat = new IPEndPoint(IPAddress.Parse("203.0.113.9"), 61000).Serialize();
    private static readonly SocketAddress Other = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 5000).Serialize();

    [Fact]
    public void Accept_FirstPacket_LatchesToItsSource()
    {
        var latch = new SymmetricLatch(new FakeTimeProvider(), Signalled);
        Assert.Equal(Signalled, latch.Destination);

        Assert.True(latch.Accept(Nat, 1));

        Assert.True(latch.IsLatched);
        Assert.Equal(Nat, latch.Destination);
    }

    [Fact]
    public void Accept_FromTheSignalledAddress_KeepsThatAddressInsteadOfACopy()
    {
        var signalled = new IPEndPoint(IPAddress.Parse("10.0.0.5"), 4000).Serialize();
        var latch = new SymmetricLatch(new FakeTimeProvider(), signalled);
        var received = new IPEndPoint(IPAddress.Parse("10.0.0.5"), 4000).Serialize();

        Assert.True(latch.Accept(received, 1));

        Assert.Same(signalled, latch.Destination);
        Assert.NotSame(received, latch.Destination);
    }

    [Fact]
    public void Accept_FromElsewhere_CopiesTheSourceTheTransportReuses()
    {
        var latch = new SymmetricLatch(new FakeTimeProvider(), Signalled);
        var received = new IPEndPoint(IPAddress.Parse("203.0.113.9"), 61000).Serialize();

        Assert.True(latch.Accept(received, 1));
        new IPEndPoint(IPAddress.Parse("198.51.100.1"), 5000).Serialize().Buffer.CopyTo(received.Buffer);

        Assert.Equal(Nat, latch.Destination);
        Assert.NotSame(Signalled, latch.Destination);
    }

    [Fact]
    public void Accept_StrangerWhileLatchedSourceIsActive_IsRejected()
    {
        var time = new FakeTimeProvider();
        var latch = new SymmetricLatch(time, Signalled);
        latch.Accept(Nat, 1);
        time.Advance(TimeSpan.FromMilliseconds(500));

        Assert.False(latch.Accept(Other, 2));
        Assert.Equal(Nat, latch.Destination);
    }

    [Fact]
    public void Accept_SameSsrcFromNewPort_Relatches()
    {
        var latch = new SymmetricLatch(new FakeTimeProvider(), Signalled);
        latch.Accept(Nat, 1);

        Assert.True(latch.Accept(Other, 1));

        Assert.Equal(Other, latch.Destination);
        Assert.Equal(1, latch.Relatches);
    }

    [Fact]
    public void Accept_NewSourceAfterLatchedWentSilent_Relatches()
    {
        var time = new FakeTimeProvider();
        var latch = new SymmetricLatch(time, Signalled);
        latch.Accept(Nat, 1);
        time.Advance(SymmetricLatch.RelatchAfter);

        Assert.True(latch.Accept(Other, 2));
        Assert.Equal(Other, latch.Destination);
    }

    [Fact]
    public void SetSignalled_ClearsLatch()
    {
        var latch = new SymmetricLatch(new FakeTimeProvider(), Signalled);
        latch.Accept(Nat, 1);

        latch.SetSignalled(Other);

        Assert.False(latch.IsLatched);
        Assert.Equal(Other, latch.Destination);
        Assert.True(latch.Accept(Signalled, 9));
    }
}
