using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OpenSma.ControlPlane.S3;

/// <summary>
/// The flexible checksums S3 clients attach to uploads (<c>x-amz-checksum-crc32</c> and friends,
/// in a header or an aws-chunked trailer): base64 of the big-endian CRC or of the digest.
/// </summary>
internal static class PayloadChecksums
{
    public const string HeaderPrefix = "x-amz-checksum-";

    private static readonly uint[] Crc32Table = ReflectedTable32(0xEDB88320u);
    private static readonly uint[] Crc32CTable = ReflectedTable32(0x82F63B78u);
    private static readonly ulong[] Crc64NvmeTable = ReflectedTable64(0x9A6C9329AC4BC9B5ul);

    /// <summary>The checksum in the S3 wire form, or null for an algorithm S3 does not define.</summary>
    public static string? Compute(string algorithm, ReadOnlySpan<byte> data)
    {
        Span<byte> value = stackalloc byte[32];
        switch (algorithm)
        {
            case "crc32":
                BinaryPrimitives.WriteUInt32BigEndian(value, Crc32(Crc32Table, data));
                return Convert.ToBase64String(value[..4]);
            case "crc32c":
                BinaryPrimitives.WriteUInt32BigEndian(value, Crc32(Crc32CTable, data));
                return Convert.ToBase64String(value[..4]);
            case "crc64nvme":
                BinaryPrimitives.WriteUInt64BigEndian(value, Crc64(data));
                return Convert.ToBase64String(value[..8]);
            case "sha1":
#pragma warning disable CA5350 // S3 defines SHA-1 as one of its integrity checksums; we only compare.
                return Convert.ToBase64String(SHA1.HashData(data));
#pragma warning restore CA5350
            case "sha256":
                return Convert.ToBase64String(SHA256.HashData(data));
            default:
                return null;
        }
    }

    internal static uint Crc32(uint[] table, ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    internal static uint Crc32Ieee(ReadOnlySpan<byte> data) => Crc32(Crc32Table, data);

    internal static uint Crc32Castagnoli(ReadOnlySpan<byte> data) => Crc32(Crc32CTable, data);

    internal static ulong Crc64(ReadOnlySpan<byte> data)
    {
        var crc = ulong.MaxValue;
        foreach (var b in data)
        {
            crc = Crc64NvmeTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] ReflectedTable32(uint polynomial)
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? polynomial ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }

    private static ulong[] ReflectedTable64(ulong polynomial)
    {
        var table = new ulong[256];
        for (ulong i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? polynomial ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
