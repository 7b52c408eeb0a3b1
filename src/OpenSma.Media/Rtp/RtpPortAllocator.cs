using System.Net;
using System.Net.Sockets;

namespace OpenSma.Media.Rtp;

/// <summary>
/// Hands out RTP/RTCP port pairs (even RTP port, RTCP one above) from a configured range. A
/// pair is bound when allocated, so a port used by another process is skipped rather than
/// handed out; released pairs go to the back of the queue, so a new call does not receive a
/// previous call's late packets.
/// </summary>
public sealed class RtpPortAllocator
{
    private readonly Lock _gate = new();
    private readonly Queue<int> _free = new();
    private readonly HashSet<int> _leased = [];

    public RtpPortAllocator(int minPort, int maxPort)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minPort, 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPort, 65535);
        var first = minPort + (minPort & 1);
        for (var port = first; port + 1 <= maxPort; port += 2)
        {
            _free.Enqueue(port);
        }

        if (_free.Count == 0)
        {
            throw new ArgumentException($"Port range {minPort}-{maxPort} holds no even/odd RTP/RTCP pair.", nameof(maxPort));
        }

        Capacity = _free.Count;
    }

    public int Capacity { get; }

    /// <summary>
    /// SO_RCVBUF asked for on each RTP socket bound from now on (the kernel doubles it and caps it at
    /// net.core.rmem_max); null keeps the system default (net.core.rmem_default, about 256 queued
    /// datagrams). A receiver that may fall seconds behind (a load generator) needs more so that
    /// nothing is dropped while it catches up.
    /// </summary>
    public int? ReceiveBufferBytes { get; init; }

    public int Available
    {
        get
        {
            lock (_gate)
            {
                return _free.Count;
            }
        }
    }

    /// <summary>Binds a free pair on <paramref name="address"/>; null when every pair is in use or unbindable.</summary>
    public RtpPortLease? TryAllocate(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        int attempts;
        lock (_gate)
        {
            attempts = _free.Count;
        }

        for (var i = 0; i < attempts; i++)
        {
            int port;
            lock (_gate)
            {
                if (!_free.TryDequeue(out port))
                {
                    return null;
                }

                _leased.Add(port);
            }

            var rtp = TryBind(address, port, ReceiveBufferBytes);
            var rtcp = rtp is null ? null : TryBind(address, port + 1, null);
            if (rtp is not null && rtcp is not null)
            {
                return new RtpPortLease(this, port, rtp, rtcp);
            }

            rtp?.Dispose();
            Release(port);
        }

        return null;
    }

    internal void Release(int port)
    {
        lock (_gate)
        {
            if (_leased.Remove(port))
            {
                _free.Enqueue(port);
            }
        }
    }

    private static Socket? TryBind(IPAddress address, int port, int? receiveBuffer)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (receiveBuffer is { } bytes)
            {
                socket.ReceiveBufferSize = bytes;
            }

            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }
}
