using System.Net;
using System.Net.Sockets;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

public sealed class RtpPortAllocatorTests
{
    // Each test uses its own range, below the kernel's ephemeral ports (32768+), so neither parallel
    // test classes nor OS-assigned sockets of other tests can take them.
    [Fact]
    public void TryAllocate_GivesEvenRtpPortWithRtcpAboveBothBound()
    {
        var allocator = new RtpPortAllocator(32001, 32010);

        using var lease = allocator.TryAllocate(IPAddress.Loopback);

        Assert.NotNull(lease);
        Assert.Equal(0, lease.RtpPort % 2);
        Assert.InRange(lease.RtpPort, 32002, 32008);
        Assert.Equal(lease.RtpPort, ((IPEndPoint)lease.RtpSocket.LocalEndPoint!).Port);
        Assert.Equal(lease.RtpPort + 1, ((IPEndPoint)lease.RtcpSocket.LocalEndPoint!).Port);
        Assert.Equal(3, allocator.Available);
    }

    [Fact]
    public void ReceiveBufferBytes_AppliesToTheRtpSocket_AndOnlyWhenAsked()
    {
        var big = new RtpPortAllocator(32101, 32104) { ReceiveBufferBytes = 1 << 20 };
        var plain = new RtpPortAllocator(32105, 32108);

        using var bigLease = big.TryAllocate(IPAddress.Loopback);
        using var plainLease = plain.TryAllocate(IPAddress.Loopback);

        Assert.NotNull(bigLease);
        Assert.NotNull(plainLease);
        // The kernel doubles what is asked for (and caps it at net.core.rmem_max, 4 MiB here).
        Assert.True(bigLease.RtpSocket.ReceiveBufferSize >= 1 << 20, $"SO_RCVBUF {bigLease.RtpSocket.ReceiveBufferSize}");
        Assert.True(plainLease.RtpSocket.ReceiveBufferSize < 1 << 20, $"SO_RCVBUF {plainLease.RtpSocket.ReceiveBufferSize}");
    }

    [Fact]
    public void TryAllocate_Exhausted_ReturnsNullAndReleaseRecovers()
    {
        var allocator = new RtpPortAllocator(32020, 32023);
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
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 32031)); // the RTCP half of the first pair
        var allocator = new RtpPortAllocator(32030, 32033);

        using var lease = allocator.TryAllocate(IPAddress.Loopback);

        Assert.Equal(32032, lease!.RtpPort);
        Assert.Null(allocator.TryAllocate(IPAddress.Loopback));
        Assert.Equal(1, allocator.Available); // the unbindable pair stays available for later
    }

    [Fact]
    public void TryAllocate_ManyCycles_DoNotLeak()
    {
        var allocator = new RtpPortAllocator(32040, 32059);
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
        Assert.Throws<ArgumentException>(() => new RtpPortAllocator(32061, 32062));
    }
}
