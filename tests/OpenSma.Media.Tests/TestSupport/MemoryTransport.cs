using System.Net;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.TestSupport;

/// <summary>An in-memory transport: records what the session sends and lets tests inject datagrams.</summary>
/// <param name="time">When given, <see cref="SentAt"/> records the time of every send on it.</param>
internal sealed class MemoryTransport(int localPort = 40000, TimeProvider? time = null) : IMediaTransport
{
    private IMediaTransportReceiver? _receiver;

    public List<(byte[] Datagram, IPEndPoint Destination, bool Rtcp)> Sent { get; } = [];

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> of each entry of <see cref="Sent"/>, when the transport was given a time provider.</summary>
    public List<long> SentAt { get; } = [];

    public IEnumerable<byte[]> SentRtp => Sent.Where(s => !s.Rtcp).Select(s => s.Datagram);

    public bool Disposed { get; private set; }

    public int LocalRtpPort { get; } = localPort;

    public void Start(IMediaTransportReceiver receiver) => _receiver = receiver;

    public bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination, bool rtcp)
    {
        var endpoint = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(destination);
        Sent.Add((datagram.ToArray(), endpoint, rtcp));
        if (time is not null)
        {
            SentAt.Add(time.GetTimestamp());
        }

        return true;
    }

    /// <param name="arrivalTimestamp">The arrival time the transport reports (a Stopwatch timestamp); by default none.</param>
    public void Deliver(byte[] datagram, IPEndPoint source, bool rtcp = false, long arrivalTimestamp = IMediaTransportReceiver.ArrivalUnknown) =>
        _receiver!.OnDatagram(datagram, source.Serialize(), rtcp, arrivalTimestamp);

    public void Dispose() => Disposed = true;
}
