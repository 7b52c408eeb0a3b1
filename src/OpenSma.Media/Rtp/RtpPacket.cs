using System.Buffers.Binary;

namespace OpenSma.Media.Rtp;

/// <summary>Reads and writes RTP packets in place (no allocation).</summary>
public static class RtpPacket
{
    public const int HeaderBytes = 12;
    public const int MaxDatagramBytes = 1500;

    /// <summary>
    /// Parses an RTP packet: version 2, CSRCs and header extension skipped, padding removed.
    /// Returns false for anything malformed (including RTCP, whose payload types 200-204 overlap
    /// the marker bit and payload type field).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out RtpHeader header, out ReadOnlySpan<byte> payload)
    {
        header = default;
        payload = default;
        if (datagram.Length < HeaderBytes || datagram[0] >> 6 != 2)
        {
            return false;
        }

        var packetType = datagram[1];
        if (packetType is >= 192 and <= 223)
        {
            return false; // RTCP multiplexed on the RTP port (RFC 5761 section 4)
        }

        var csrcCount = datagram[0] & 0x0F;
        var offset = HeaderBytes + (csrcCount * 4);
        if ((datagram[0] & 0x10) != 0)
        {
            if (datagram.Length < offset + 4)
            {
                return false;
            }

            offset += 4 + (BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]) * 4);
        }

        var end = datagram.Length;
        if ((datagram[0] & 0x20) != 0)
        {
            var padding = datagram[^1];
            if (padding == 0)
            {
                return false;
            }

            end -= padding;
        }

        if (offset > end)
        {
            return false;
        }

        header = new RtpHeader(
            (byte)(packetType & 0x7F),
            BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]),
            (packetType & 0x80) != 0);
        payload = datagram[offset..end];
        return true;
    }

    /// <summary>Writes header and payload into <paramref name="destination"/>; returns the packet length.</summary>
    public static int Write(Span<byte> destination, in RtpHeader header, ReadOnlySpan<byte> payload)
    {
        var length = HeaderBytes + payload.Length;
        if (destination.Length < length)
        {
            throw new ArgumentException("Destination is too small for the RTP packet.", nameof(destination));
        }

        WriteHeader(destination, header);
        payload.CopyTo(destination[HeaderBytes..]);
        return length;
    }

    public static void WriteHeader(Span<byte> destination, in RtpHeader header)
    {
        destination[0] = 0x80;
        destination[1] = (byte)((header.Marker ? 0x80 : 0) | (header.PayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], header.SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], header.Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], header.Ssrc);
    }
}
