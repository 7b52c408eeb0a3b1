using System.Buffers.Binary;
using System.Text;

namespace OpenSma.Media.Rtp;

/// <summary>What a compound RTCP packet told us: the sender's SSRC, its SR info if any, and the report block about us.</summary>
public readonly record struct RtcpReport(uint SenderSsrc, RtcpSenderInfo? SenderInfo, RtcpReportBlock? AboutUs, bool Bye);

/// <summary>Writes compound SR/RR + SDES CNAME packets and reads SR, RR and BYE (RFC 3550 section 6).</summary>
public static class RtcpPacket
{
    public const byte SenderReport = 200;
    public const byte ReceiverReport = 201;
    public const byte SourceDescription = 202;
    public const byte Goodbye = 203;

    /// <summary>Writes SR (when <paramref name="senderInfo"/> is set) or RR, then SDES with the CNAME; returns the length.</summary>
    public static int WriteCompound(Span<byte> destination, uint ssrc, RtcpSenderInfo? senderInfo, RtcpReportBlock? block, string cname)
    {
        var blocks = block is null ? 0 : 1;
        var offset = 0;
        var reportWords = 1 + (senderInfo is null ? 0 : 5) + (blocks * 6);
        destination[offset] = (byte)(0x80 | blocks);
        destination[offset + 1] = senderInfo is null ? ReceiverReport : SenderReport;
        BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)reportWords);
        BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 4)..], ssrc);
        offset += 8;
        if (senderInfo is { } info)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination[offset..], info.NtpTimestamp);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 8)..], info.RtpTimestamp);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 12)..], info.PacketCount);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 16)..], info.OctetCount);
            offset += 20;
        }

        if (block is { } b)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], b.Ssrc);
            var lost = Math.Clamp(b.CumulativeLost, -0x800000, 0x7FFFFF) & 0xFFFFFF;
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 4)..], ((uint)b.FractionLost << 24) | (uint)lost);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 8)..], b.ExtendedHighestSequence);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 12)..], b.Jitter);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 16)..], b.LastSenderReport);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 20)..], b.DelaySinceLastSenderReport);
            offset += 24;
        }

        // SDES: one chunk with CNAME, then a null item terminator padded to a 32-bit boundary.
        var nameLength = Math.Min(255, Encoding.ASCII.GetByteCount(cname));
        var chunkBytes = 4 + 2 + nameLength + 1;
        chunkBytes = (chunkBytes + 3) & ~3;
        destination[offset] = 0x81;
        destination[offset + 1] = SourceDescription;
        BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)(chunkBytes / 4));
        BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 4)..], ssrc);
        destination[offset + 8] = 1; // CNAME
        destination[offset + 9] = (byte)nameLength;
        Encoding.ASCII.GetBytes(cname.AsSpan(0, nameLength), destination[(offset + 10)..]);
        destination.Slice(offset + 10 + nameLength, chunkBytes - 6 - nameLength).Clear();
        offset += 4 + chunkBytes;
        return offset;
    }

    /// <summary>Reads a compound packet; false when it is not valid RTCP. Unknown packet types are skipped.</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, uint ourSsrc, out RtcpReport report)
    {
        report = default;
        if (datagram.Length < 8 || datagram[0] >> 6 != 2 || datagram[1] is < 200 or > 204)
        {
            return false;
        }

        uint sender = 0;
        RtcpSenderInfo? senderInfo = null;
        RtcpReportBlock? aboutUs = null;
        var bye = false;
        var offset = 0;
        while (offset + 4 <= datagram.Length)
        {
            var packet = datagram[offset..];
            if (packet[0] >> 6 != 2)
            {
                return false;
            }

            var length = (BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) + 1) * 4;
            if (length > packet.Length)
            {
                return false;
            }

            packet = packet[..length];
            var count = packet[0] & 0x1F;
            switch (packet[1])
            {
                case SenderReport when length >= 28:
                    sender = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
                    senderInfo = new RtcpSenderInfo(
                        BinaryPrimitives.ReadUInt64BigEndian(packet[8..]),
                        BinaryPrimitives.ReadUInt32BigEndian(packet[16..]),
                        BinaryPrimitives.ReadUInt32BigEndian(packet[20..]),
                        BinaryPrimitives.ReadUInt32BigEndian(packet[24..]));
                    aboutUs ??= FindBlock(packet[28..], count, ourSsrc);
                    break;
                case ReceiverReport when length >= 8:
                    sender = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
                    aboutUs ??= FindBlock(packet[8..], count, ourSsrc);
                    break;
                case Goodbye:
                    bye = true;
                    break;
            }

            offset += length;
        }

        report = new RtcpReport(sender, senderInfo, aboutUs, bye);
        return true;
    }

    private static RtcpReportBlock? FindBlock(ReadOnlySpan<byte> blocks, int count, uint ssrc)
    {
        for (var i = 0; i < count && (i + 1) * 24 <= blocks.Length; i++)
        {
            var b = blocks.Slice(i * 24, 24);
            if (BinaryPrimitives.ReadUInt32BigEndian(b) != ssrc)
            {
                continue;
            }

            var word = BinaryPrimitives.ReadUInt32BigEndian(b[4..]);
            var lost = (int)(word & 0xFFFFFF);
            if ((lost & 0x800000) != 0)
            {
                lost -= 0x1000000;
            }

            return new RtcpReportBlock(
                ssrc,
                (byte)(word >> 24),
                lost,
                BinaryPrimitives.ReadUInt32BigEndian(b[8..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[12..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[16..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[20..]));
        }

        return null;
    }
}
