using System.Net;

namespace OpenSma.Media.Rtp;

/// <summary>Receives datagrams from a transport; called on the transport's receive thread.</summary>
public interface IMediaTransportReceiver
{
    void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress source, bool rtcp);
}

/// <summary>
/// Moves RTP and RTCP datagrams for one leg. Separate from the session so protocol logic is
/// tested in memory and runs over real UDP sockets in production.
/// </summary>
public interface IMediaTransport : IDisposable
{
    int LocalRtpPort { get; }

    void Start(IMediaTransportReceiver receiver);

    /// <summary>Sends without blocking the media clock; false when the datagram could not be sent.</summary>
    bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination, bool rtcp);
}
