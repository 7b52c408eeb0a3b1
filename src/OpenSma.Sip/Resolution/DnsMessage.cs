using System.Buffers.Binary;
using System.Text;

namespace OpenSma.Sip.Resolution;

/// <summary>DNS wire format (RFC 1035) for the few record types RFC 3263 needs: queries out, answers in.</summary>
internal static class DnsMessage
{
    public const ushort TypeSrv = 33;
    public const ushort TypeNaptr = 35;

    private const int MaxPointerHops = 32;

    /// <summary>A recursive query for one name and type.</summary>
    public static byte[] Query(ushort id, string name, ushort type)
    {
        var bytes = new List<byte>(32 + name.Length);
        bytes.AddRange([(byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            var ascii = Encoding.ASCII.GetBytes(label);
            if (ascii.Length is 0 or > 63)
            {
                throw new ArgumentException($"Bad DNS name '{name}'.", nameof(name));
            }

            bytes.Add((byte)ascii.Length);
            bytes.AddRange(ascii);
        }

        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. bytes];
    }

    /// <summary>One answer record: its type, TTL and where its data starts in the message.</summary>
    public readonly record struct Answer(ushort Type, uint Ttl, int DataOffset, int DataLength);

    /// <summary>Parsed header and answer section; <see cref="Valid"/> is false for anything malformed.</summary>
    public sealed record Response(bool Valid, ushort Id, int ResponseCode, bool Truncated, IReadOnlyList<Answer> Answers);

    public static Response Parse(ReadOnlySpan<byte> message)
    {
        var invalid = new Response(false, 0, 0, false, []);
        if (message.Length < 12)
        {
            return invalid;
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answerCount = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        if ((flags & 0x8000) == 0)
        {
            return invalid;
        }

        var pos = 12;
        for (var i = 0; i < questions; i++)
        {
            if (!TrySkipName(message, ref pos) || pos + 4 > message.Length)
            {
                return invalid;
            }

            pos += 4;
        }

        var answers = new List<Answer>(answerCount);
        for (var i = 0; i < answerCount; i++)
        {
            if (!TrySkipName(message, ref pos) || pos + 10 > message.Length)
            {
                return invalid;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(message[pos..]);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(pos + 4)..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 8)..]);
            pos += 10;
            if (pos + length > message.Length)
            {
                return invalid;
            }

            answers.Add(new Answer(type, ttl, pos, length));
            pos += length;
        }

        return new Response(true, id, flags & 0xF, (flags & 0x0200) != 0, answers);
    }

    public static SipSrvRecord? ReadSrv(ReadOnlySpan<byte> message, Answer answer)
    {
        if (answer.Type != TypeSrv || answer.DataLength < 7)
        {
            return null;
        }

        var data = message.Slice(answer.DataOffset, answer.DataLength);
        var pos = answer.DataOffset + 6;
        return TryReadName(message, ref pos, out var target)
            ? new SipSrvRecord(BinaryPrimitives.ReadUInt16BigEndian(data), BinaryPrimitives.ReadUInt16BigEndian(data[2..]), BinaryPrimitives.ReadUInt16BigEndian(data[4..]), target)
            : null;
    }

    public static SipNaptrRecord? ReadNaptr(ReadOnlySpan<byte> message, Answer answer)
    {
        if (answer.Type != TypeNaptr || answer.DataLength < 8)
        {
            return null;
        }

        var end = answer.DataOffset + answer.DataLength;
        var order = BinaryPrimitives.ReadUInt16BigEndian(message[answer.DataOffset..]);
        var preference = BinaryPrimitives.ReadUInt16BigEndian(message[(answer.DataOffset + 2)..]);
        var pos = answer.DataOffset + 4;
        if (!TryReadString(message, end, ref pos, out var flags) || !TryReadString(message, end, ref pos, out var service)
            || !TryReadString(message, end, ref pos, out var regexp) || !TryReadName(message, ref pos, out var replacement))
        {
            return null;
        }

        return new SipNaptrRecord(order, preference, flags, service, regexp, replacement);
    }

    private static bool TryReadString(ReadOnlySpan<byte> message, int end, ref int pos, out string value)
    {
        value = string.Empty;
        if (pos >= end || pos + 1 + message[pos] > end)
        {
            return false;
        }

        var length = message[pos];
        value = Encoding.ASCII.GetString(message.Slice(pos + 1, length));
        pos += 1 + length;
        return true;
    }

    private static bool TrySkipName(ReadOnlySpan<byte> message, ref int pos) => TryReadName(message, ref pos, out _);

    /// <summary>Reads a possibly compressed name (RFC 1035 §4.1.4); pos moves past it in the original place.</summary>
    public static bool TryReadName(ReadOnlySpan<byte> message, ref int pos, out string name)
    {
        var sb = new StringBuilder();
        var cursor = pos;
        var jumped = false;
        for (var hops = 0; hops < MaxPointerHops;)
        {
            if (cursor >= message.Length)
            {
                break;
            }

            var length = message[cursor];
            if ((length & 0xC0) == 0xC0)
            {
                if (cursor + 1 >= message.Length)
                {
                    break;
                }

                if (!jumped)
                {
                    pos = cursor + 2;
                    jumped = true;
                }

                cursor = ((length & 0x3F) << 8) | message[cursor + 1];
                hops++;
                continue;
            }

            if (length == 0)
            {
                if (!jumped)
                {
                    pos = cursor + 1;
                }

                name = sb.ToString();
                return true;
            }

            if ((length & 0xC0) != 0 || cursor + 1 + length > message.Length)
            {
                break;
            }

            if (sb.Length > 0)
            {
                sb.Append('.');
            }

            sb.Append(Encoding.ASCII.GetString(message.Slice(cursor + 1, length)));
            cursor += 1 + length;
        }

        name = string.Empty;
        return false;
    }
}
