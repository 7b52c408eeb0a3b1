using System.Net.Sockets;

namespace OpenSma.Media.Rtp;

/// <summary>A bound RTP/RTCP socket pair; disposing it closes both and returns the ports to the allocator.</summary>
public sealed class RtpPortLease : IDisposable
{
    private readonly RtpPortAllocator _allocator;
    private int _disposed;

    internal RtpPortLease(RtpPortAllocator allocator, int rtpPort, Socket rtpSocket, Socket rtcpSocket)
    {
        _allocator = allocator;
        RtpPort = rtpPort;
        RtpSocket = rtpSocket;
        RtcpSocket = rtcpSocket;
    }

    public int RtpPort { get; }

    public int RtcpPort => RtpPort + 1;

    public Socket RtpSocket { get; }

    public Socket RtcpSocket { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        RtpSocket.Dispose();
        RtcpSocket.Dispose();
        _allocator.Release(RtpPort);
    }
}
