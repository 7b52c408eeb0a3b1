using System.Net;
using System.Net.Sockets;

namespace OpenSma.Media.Rtp;

/// <summary>
/// RTP and RTCP over the UDP sockets of a port lease. Receive loops reuse one buffer and one
/// <see cref="SocketAddress"/> each, so steady-state receiving and sending allocate nothing.
/// Socket errors end nothing but the affected datagram; the loops stop when the transport is disposed.
/// </summary>
public sealed class UdpMediaTransport : IMediaTransport
{
    private readonly RtpPortLease _lease;
    private readonly CancellationTokenSource _stop = new();
    private long _sendErrors;
    private long _receiveErrors;

    public UdpMediaTransport(RtpPortLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        _lease = lease;
    }

    public int LocalRtpPort => _lease.RtpPort;

    public long SendErrors => Interlocked.Read(ref _sendErrors);

    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    public void Start(IMediaTransportReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        _ = ReceiveLoopAsync(_lease.RtpSocket, receiver, rtcp: false);
        _ = ReceiveLoopAsync(_lease.RtcpSocket, receiver, rtcp: true);
    }

    public bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination, bool rtcp)
    {
        var socket = rtcp ? _lease.RtcpSocket : _lease.RtpSocket;
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
        _stop.Cancel();
        _lease.Dispose();
        _stop.Dispose();
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
                receiver.OnDatagram(buffer.AsSpan(0, received), source, rtcp);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _receiveErrors);
            }
        }
    }
}
