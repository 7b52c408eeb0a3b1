using OpenSma.Media.Codecs;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.TestSupport;

/// <summary>Builds the packets a remote peer would send.</summary>
internal static class PeerPackets
{
    public static byte[] Audio(ushort sequence, uint timestamp, ReadOnlySpan<short> samples, uint ssrc = 0x5EED, AudioCodec? codec = null)
    {
        codec ??= AudioCodec.Pcmu;
        var payload = new byte[samples.Length];
        codec.Encode(samples, payload);
        var buffer = new byte[RtpPacket.HeaderBytes + payload.Length];
        RtpPacket.Write(buffer, new RtpHeader(codec.StaticPayloadType, sequence, timestamp, ssrc), payload);
        return buffer;
    }

    public static byte[] Event(byte payloadType, ushort sequence, uint timestamp, char digit, ushort duration, bool end, bool marker = false, uint ssrc = 0x5EED)
    {
        var payload = new byte[4];
        new TelephoneEvent(TelephoneEvent.FromDigit(digit)!.Value, end, 10, duration).Write(payload);
        var buffer = new byte[16];
        RtpPacket.Write(buffer, new RtpHeader(payloadType, sequence, timestamp, ssrc, marker), payload);
        return buffer;
    }
}
