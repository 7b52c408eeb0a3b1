using System.Net;
using System.Net.Sockets;

namespace OpenSma.Media.Rtp;

/// <summary>
/// RTP and RTCP over the UDP sockets of a port lease. On 64-bit Linux the sockets are served by a
/// <see cref="MediaSocketEngine"/> (epoll and recvmmsg on a dedicated thread, sendto without the
/// managed socket layer); elsewhere, or with no engine, by one async receive loop per socket.
/// Either way steady-state receiving and sending allocate nothing. Socket errors end nothing but
/// the affected datagram; receiving stops when the transport is disposed. The engine passes each
/// datagram's kernel receive time (SO_TIMESTAMPNS) to the receiver; the async loops do not know it
/// and pass <see cref="IMediaTransportReceiver.ArrivalUnknown"/>.
/// </summary>
public sealed class UdpMediaTransport : IMediaTransport
{
    private readonly RtpPortLease _lease;
    private readonly MediaSocketEngine? _engine;
    private readonly CancellationTokenSource _stop = new();
    private MediaSocketRegistration? _rtpRegistration;
    private MediaSocketRegistration? _rtcpRegistration;
    private TimedSendRing? _timedSends;
    private int _closing;
    private long _sendErrors;
    private long _receiveErrors;

    /// <summary>Uses <see cref="MediaSocketEngine.Shared"/> where it exists, else async socket loops.</summary>
    public UdpMediaTransport(RtpPortLease lease)
        : this(lease, MediaSocketEngine.Shared)
    {
    }

    /// <param name="lease">The bound sockets; disposing the transport disposes the lease.</param>
    /// <param name="engine">The engine that serves the sockets; null for the portable async socket loops.</param>
    public UdpMediaTransport(RtpPortLease lease, MediaSocketEngine? engine)
    {
        ArgumentNullException.ThrowIfNull(lease);
        _lease = lease;
        _engine = engine;
    }

    public int LocalRtpPort => _lease.RtpPort;

    public long SendErrors => Interlocked.Read(ref _sendErrors);

    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    public void Start(IMediaTransportReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        _rtpRegistration = _engine?.Register(_lease.RtpSocket, receiver, rtcp: false);
        if (_rtpRegistration is null)
        {
            _ = ReceiveLoopAsync(_lease.RtpSocket, receiver, rtcp: false);
        }

        _rtcpRegistration = _engine?.Register(_lease.RtcpSocket, receiver, rtcp: true);
        if (_rtcpRegistration is null)
        {
            _ = ReceiveLoopAsync(_lease.RtcpSocket, receiver, rtcp: true);
        }
    }

    public bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination, bool rtcp)
    {
        var socket = rtcp ? _lease.RtcpSocket : _lease.RtpSocket;
        if (_engine is not null)
        {
            // A send about to be queued on a clock's ring names that ring before it looks at whether
            // the transport is closing, and Dispose says it is closing before it looks for a ring
            // (both interlocked): either this send sees the close and is dropped, or Dispose sees
            // the ring and closes the sockets only after what is queued on it has left.
            if (TimedSendRing.OpenOnThisThread is { } ring && Volatile.Read(ref _timedSends) is null)
            {
                // Once (the interlocked publish is what the handshake needs; later sends find it set).
                Interlocked.CompareExchange(ref _timedSends, ring, null);
            }

            if (Volatile.Read(ref _closing) != 0)
            {
                Interlocked.Increment(ref _sendErrors);
                return false;
            }

            if (_engine.Send(socket, datagram, destination, ref _timedSends))
            {
                return true;
            }

            Interlocked.Increment(ref _sendErrors);
            return false;
        }

        try
        {
            socket.SendTo(datagram, SocketFlags.None, destination);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _sendErrors);
            return false;
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _closing, 1);
        _stop.Cancel();
        MediaSocketEngine.Unregister(_rtpRegistration);
        MediaSocketEngine.Unregister(_rtcpRegistration);
        _stop.Dispose();
        if (Volatile.Read(ref _timedSends) is { } ring)
        {
            // Sends queued for a due time still name these sockets: close them (and free the
            // ports) only after those have left, so a reused descriptor never receives them.
            ring.AfterQueuedSends(_lease.Dispose);
        }
        else
        {
            _lease.Dispose();
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, IMediaTransportReceiver receiver, bool rtcp)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(RtpPacket.MaxDatagramBytes, pinned: true);
        var source = new SocketAddress(socket.AddressFamily);
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, source, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // ICMP port unreachable from a peer that went away surfaces here on some systems.
                Interlocked.Increment(ref _receiveErrors);
                continue;
            }

            try
            {
                // No kernel receive time here: the receiver uses the time it processes the datagram.
                receiver.OnDatagram(buffer.AsSpan(0, received), source, rtcp, IMediaTransportReceiver.ArrivalUnknown);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _receiveErrors);
            }
        }
    }
}
