using System.Net;

namespace OpenSma.Media.Rtp;

/// <summary>Receives datagrams from a transport; called on the transport's receive thread.</summary>
public interface IMediaTransportReceiver
{
    /// <param name="datagram">The datagram; valid only during the call.</param>
    /// <param name="source">Where it came from; reused by the transport after the call.</param>
    /// <param name="rtcp">True when it arrived on the RTCP socket.</param>
    /// <param name="arrivalTimestamp">
    /// When it reached this host, as a <see cref="System.Diagnostics.Stopwatch"/> timestamp: the
    /// kernel's receive time where the transport has it (SO_TIMESTAMPNS, <see cref="MediaSocketEngine"/>),
    /// else when the transport took it from the socket; <see cref="ArrivalUnknown"/> (0) when the
    /// transport does not say, and the receiver uses the time it processes the datagram.
    /// </param>
    void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress source, bool rtcp, long arrivalTimestamp);

    /// <summary>The <c>arrivalTimestamp</c> of a transport that does not know when a datagram arrived.</summary>
    public const long ArrivalUnknown = 0;
}

/// <summary>
/// Moves RTP and RTCP datagrams for one leg. Separate from the session so protocol logic is
/// tested in memory and runs over real UDP sockets in production.
/// </summary>
public interface IMediaTransport : IDisposable
{
    int LocalRtpPort { get; }

    void Start(IMediaTransportReceiver receiver);

    /// <summary>
    /// Sends without blocking the media clock; false when the datagram could not be sent. The
    /// datagram is valid only during the call (it is the calling thread's scratch, reused by the
    /// next leg): a transport that sends it later must copy it first.
    /// </summary>
    bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination, bool rtcp);
}
