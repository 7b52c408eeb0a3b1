using System.Net.Sockets;

namespace OpenSma.Media.Rtp;

/// <summary>One socket watched by a <see cref="MediaSocketWorker"/>.</summary>
internal sealed class MediaSocketRegistration(MediaSocketWorker worker, int index, SafeSocketHandle handle, IMediaTransportReceiver receiver, bool rtcp)
{
    private volatile bool _active = true;

    public MediaSocketWorker Worker { get; } = worker;

    public int Index { get; } = index;

    public SafeSocketHandle Handle { get; } = handle;

    public IMediaTransportReceiver Receiver { get; } = receiver;

    public bool Rtcp { get; } = rtcp;

    public bool Active => _active;

    public void Deactivate() => _active = false;

    /// <summary>Datagrams the receiver threw on (counted, never allowed to stop the thread).</summary>
    public long ReceiverFaults { get; set; }
}
