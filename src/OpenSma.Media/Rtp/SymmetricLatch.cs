using System.Net;

namespace OpenSma.Media.Rtp;

/// <summary>
/// Symmetric RTP (RFC 4961 behaviour toward peers behind NAT): media is sent to the address
/// packets actually come from, not the one in the SDP. The first valid packet latches; later a
/// different source is accepted when it carries the latched SSRC (the NAT rebound the port) or
/// when the latched source has been silent for <see cref="RelatchAfter"/> (the peer moved).
/// Packets from any other source are rejected so a stray sender cannot hijack the stream.
/// </summary>
public sealed class SymmetricLatch
{
    public static readonly TimeSpan RelatchAfter = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _time;
    private SocketAddress? _latched;
    private uint _ssrc;
    private long _lastFromLatched;

    public SymmetricLatch(TimeProvider time, SocketAddress? signalled = null)
    {
        _time = time;
        Destination = signalled;
    }

    /// <summary>Where to send: the latched source, else the address signalled in SDP.</summary>
    public SocketAddress? Destination { get; private set; }

    public bool IsLatched => _latched is not null;

    public int Relatches { get; private set; }

    /// <summary>A new SDP address (re-INVITE); it applies until a packet latches again.</summary>
    public void SetSignalled(SocketAddress? address)
    {
        _latched = null;
        Destination = address;
    }

    /// <summary>Decides whether to accept a packet from <paramref name="source"/>; latches when appropriate.</summary>
    public bool Accept(SocketAddress source, uint ssrc)
    {
        var now = _time.GetTimestamp();
        if (_latched is not null && _latched.Equals(source))
        {
            _ssrc = ssrc;
            _lastFromLatched = now;
            return true;
        }

        if (_latched is not null && ssrc != _ssrc && _time.GetElapsedTime(_lastFromLatched, now) < RelatchAfter)
        {
            return false;
        }

        if (_latched is not null)
        {
            Relatches++;
        }

        // The transport reuses its source address, so it is copied, unless it is where we already
        // send (the usual case without NAT): that one is kept, saving a copy per leg.
        _latched = Destination is { } current && current.Equals(source) ? current : Copy(source);
        Destination = _latched;
        _ssrc = ssrc;
        _lastFromLatched = now;
        return true;
    }

    public static SocketAddress Copy(SocketAddress source)
    {
        var copy = new SocketAddress(source.Family, source.Size);
        source.Buffer.Span[..source.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }
}
