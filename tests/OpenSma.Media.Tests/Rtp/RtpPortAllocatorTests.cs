using System.Net;
using System.Net.Sockets;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

public sealed class RtpPortAllocatorTests
{
    // Each test uses its own range so parallel test classes cannot collide.
    [Fact]
    public void TryAllocate_GivesEvenRtpPortWithRtcpAboveBothBound()
    {
        var allocator = new RtpPortAllocator(47001, 47010);

        using var lease = allocator.TryAllocate(IPAddress.Loopback);

        Assert.NotNull(lease);
        Assert.Equal(0, lease.RtpPort % 2);
        Assert.InRange(lease.RtpPort, 47002, 47008);
        Assert.Equal(lease.RtpPort, ((IPEndPoint)lease.RtpSocket.LocalEndPoint!).Port);
        Assert.Equal(lease.RtpPort + 1, ((IPEndPoint)lease.RtcpSocket.LocalEndPoint!).Port);
        Assert.Equal(3, allocator.Available);
    }

    [Fact]
    public void TryAllocate_Exhausted_ReturnsNullAndReleaseRecovers()
    {
        var allocator = new RtpPortAllocator(47020, 47023);
        var a = allocator.TryAllocate(IPAddress.Loopback);
        var b = allocator.TryAllocate(IPAddress.Loopback);

        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Null(allocator.TryAllocate(IPAddress.Loopback));

        a.Dispose();
        a.Dispose(); // a second dispose must not free the pair twice
        Assert.Equal(1, allocator.Available);
        using var c = allocator.TryAllocate(IPAddress.Loopback);
        Assert.Equal(a.RtpPort, c!.RtpPort);
        b.Dispose();
        Assert.Equal(1, allocator.Available);
    }

    [Fact]
    public void TryAllocate_PortTakenByAnotherProcess_IsSkipped()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 47031)); // the RTCP half of the first pair
        var allocator = new RtpPortAllocator(47030, 47033);

        using var lease = allocator.TryAllocate(IPAddress.Loopback);

        Assert.Equal(47032, lease!.RtpPort);
        Assert.Null(allocator.TryAllocate(IPAddress.Loopback));
        Assert.Equal(1, allocator.Available); // the unbindable pair stays available for later
    }

    [Fact]
    public void TryAllocate_ManyCycles_DoNotLeak()
    {
        var allocator = new RtpPortAllocator(47040, 47059);
        for (var i = 0; i < 200; i++)
        {
            using var lease = allocator.TryAllocate(IPAddress.Loopback);
            Assert.NotNull(lease);
        }

        Assert.Equal(allocator.Capacity, allocator.Available);
    }

    [Fact]
    public void Constructor_RangeWithoutPair_Throws()
    {
        Assert.Throws<ArgumentException>(() => new RtpPortAllocator(47061, 47062));
    }
}
