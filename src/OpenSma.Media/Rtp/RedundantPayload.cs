using System.Buffers.Binary;

namespace OpenSma.Media.Rtp;

/// <summary>One block of an RFC 2198 redundant payload: its payload type, timestamp and data.</summary>
public readonly ref struct RedundantBlock(byte payloadType, uint timestamp, ReadOnlySpan<byte> data)
{
    public byte PayloadType { get; } = payloadType;

    public uint Timestamp { get; } = timestamp;

    public ReadOnlySpan<byte> Data { get; } = data;
}

/// <summary>
/// Walks an RFC 2198 payload (used with RFC 4733 events, RFC 4733 section 2.6): 4-byte headers
/// with F=1 (payload type, 14-bit timestamp offset, 10-bit length) for each redundant block, a
/// 1-byte header for the primary, then the blocks in the same order (oldest first).
/// </summary>
public ref struct RedundantPayload
{
    private const int MaxBlocks = 16;

    private readonly ReadOnlySpan<byte> _payload;
    private readonly uint _timestamp;
    private int _headerOffset;
    private int _dataOffset;
    private bool _done;

    public RedundantPayload(ReadOnlySpan<byte> payload, uint timestamp)
    {
        _payload = payload;
        _timestamp = timestamp;
        _headerOffset = 0;
        _done = false;

        // Find where the data starts: after the header of the primary (F bit clear).
        var offset = 0;
        var blocks = 0;
        while (offset < payload.Length && (payload[offset] & 0x80) != 0 && blocks++ < MaxBlocks)
        {
            offset += 4;
        }

        _dataOffset = offset + 1;
        IsValid = offset < payload.Length && blocks <= MaxBlocks;
    }

    public bool IsValid { get; }

    /// <summary>Next block, oldest first; false at the end or when the payload is malformed.</summary>
    public bool TryNext(out RedundantBlock block)
    {
        block = default;
        if (!IsValid || _done)
        {
            return false;
        }

        var header = _payload[_headerOffset..];
        if ((header[0] & 0x80) == 0)
        {
            // The primary: the rest of the payload, at the packet's own timestamp.
            _done = true;
            if (_dataOffset > _payload.Length)
            {
                return false;
            }

            block = new RedundantBlock((byte)(header[0] & 0x7F), _timestamp, _payload[_dataOffset..]);
            return true;
        }

        if (header.Length < 4)
        {
            _done = true;
            return false;
        }

        var word = BinaryPrimitives.ReadUInt32BigEndian(header);
        var offset = (word >> 10) & 0x3FFF;
        var length = (int)(word & 0x3FF);
        if (_dataOffset + length > _payload.Length)
        {
            _done = true;
            return false;
        }

        block = new RedundantBlock((byte)(header[0] & 0x7F), unchecked(_timestamp - offset), _payload.Slice(_dataOffset, length));
        _headerOffset += 4;
        _dataOffset += length;
        return true;
    }
}
