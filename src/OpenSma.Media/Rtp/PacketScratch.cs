using OpenSma.Media.Audio;

namespace OpenSma.Media.Rtp;

/// <summary>
/// The working buffers of one packet or tick operation of an <see cref="RtpSession"/> (encode,
/// decode, build a datagram, filter a frame). They hold nothing from one operation to the next, so
/// instead of every leg carrying its own (several KB per live call, copied from gen0 to gen2 with
/// it), each thread that does media work (a media clock thread, a receive thread) keeps a few.
/// <see cref="Rent"/> takes one from the thread's free list and <see cref="Return"/> puts it back;
/// a nested operation on the same thread (an in-memory transport that delivers a sent datagram to
/// another session at once, a sink that feeds another leg) rents a second set rather than
/// overwrite the first, so nothing is shared between operations in progress and, once a thread
/// has as many sets as its deepest nesting, renting allocates nothing. Everything written into a
/// set is used before the operation returns: transports send synchronously
/// (<see cref="IMediaTransport.Send"/> takes a span and copies or sends it before returning), and
/// no operation awaits.
/// </summary>
internal sealed class PacketScratch
{
    [ThreadStatic]
    private static PacketScratch? t_free;

    private PacketScratch? _next;
    private short[]? _packetSamples;
    private byte[]? _packetPayload;
    private byte[]? _packetDatagram;

    /// <summary>An outgoing audio or event datagram of one 20 ms tick (header + 160 payload bytes, with room to spare).</summary>
    public byte[] Datagram { get; } = new byte[RtpPacket.HeaderBytes + 320];

    /// <summary>An outgoing RTCP compound packet.</summary>
    public byte[] Rtcp { get; } = new byte[512];

    /// <summary>The frame the player or outbound source fills on a tick.</summary>
    public short[] OutFrame { get; } = new short[PcmAudio.SamplesPerFrame];

    /// <summary>The encoded payload of <see cref="OutFrame"/>.</summary>
    public byte[] OutPayload { get; } = new byte[PcmAudio.SamplesPerFrame];

    /// <summary>A received payload, decoded (one sample per G.711 byte, up to a full datagram).</summary>
    public short[] InFrame { get; } = new short[RtpPacket.MaxDatagramBytes];

    /// <summary>A received frame taken from the VoiceFocus jitter buffer and filtered on a tick.</summary>
    public short[] FilteredFrame { get; } = new short[PcmAudio.SamplesPerFrame];

    /// <summary>One packet of a ptime other than 20 ms, taken from the packetizer (created on first use: most legs never need it).</summary>
    public short[] PacketSamples => _packetSamples ??= new short[RtpSessionOptions.MaxPacketTime * 8];

    /// <summary>The encoded payload of <see cref="PacketSamples"/>.</summary>
    public byte[] PacketPayload => _packetPayload ??= new byte[RtpSessionOptions.MaxPacketTime * 8];

    /// <summary>The datagram of such a packet.</summary>
    public byte[] PacketDatagram => _packetDatagram ??= new byte[RtpPacket.HeaderBytes + (RtpSessionOptions.MaxPacketTime * 8)];

    /// <summary>A set no other operation in progress on this thread is using.</summary>
    public static PacketScratch Rent()
    {
        var scratch = t_free;
        if (scratch is null)
        {
            return new PacketScratch();
        }

        t_free = scratch._next;
        scratch._next = null;
        return scratch;
    }

    /// <summary>Gives back a set taken by <see cref="Rent"/> on this thread, once nothing refers to its buffers.</summary>
    public static void Return(PacketScratch scratch)
    {
        scratch._next = t_free;
        t_free = scratch;
    }
}
