namespace OpenSma.Media.Codecs;

/// <summary>
/// ITU-T G.711 mu-law and A-law, table-driven: decoding is one lookup per byte, and encoding one
/// lookup per sample in a table indexed by the 14-bit (mu-law) or 13-bit (A-law) linear value the
/// standard quantizes, so results are bit-exact with the reference algorithm.
/// </summary>
public static class G711
{
    private static readonly short[] MuLawToLinear = BuildMuLawDecode();
    private static readonly short[] ALawToLinear = BuildALawDecode();
    private static readonly byte[] LinearToMuLaw = BuildMuLawEncode();
    private static readonly byte[] LinearToALaw = BuildALawEncode();
    private static readonly byte[] MuLawToALawTable = BuildTranscode(MuLawToLinear, LinearToALaw, 3);
    private static readonly byte[] ALawToMuLawTable = BuildTranscode(ALawToLinear, LinearToMuLaw, 2);

    public static short DecodeMuLaw(byte value) => MuLawToLinear[value];

    public static short DecodeALaw(byte value) => ALawToLinear[value];

    public static byte EncodeMuLaw(short sample) => LinearToMuLaw[(sample >> 2) & 0x3FFF];

    public static byte EncodeALaw(short sample) => LinearToALaw[(sample >> 3) & 0x1FFF];

    public static byte MuLawToALaw(byte value) => MuLawToALawTable[value];

    public static byte ALawToMuLaw(byte value) => ALawToMuLawTable[value];

    public static void DecodeMuLaw(ReadOnlySpan<byte> source, Span<short> destination)
    {
        CheckLengths(source.Length, destination.Length);
        var table = MuLawToLinear;
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = table[source[i]];
        }
    }

    public static void DecodeALaw(ReadOnlySpan<byte> source, Span<short> destination)
    {
        CheckLengths(source.Length, destination.Length);
        var table = ALawToLinear;
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = table[source[i]];
        }
    }

    public static void EncodeMuLaw(ReadOnlySpan<short> source, Span<byte> destination)
    {
        CheckLengths(source.Length, destination.Length);
        var table = LinearToMuLaw;
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = table[(source[i] >> 2) & 0x3FFF];
        }
    }

    public static void EncodeALaw(ReadOnlySpan<short> source, Span<byte> destination)
    {
        CheckLengths(source.Length, destination.Length);
        var table = LinearToALaw;
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = table[(source[i] >> 3) & 0x1FFF];
        }
    }

    /// <summary>Re-encodes mu-law bytes as A-law (or the reverse) without a linear buffer, for bridges.</summary>
    public static void Transcode(ReadOnlySpan<byte> source, Span<byte> destination, bool muLawToALaw)
    {
        CheckLengths(source.Length, destination.Length);
        var table = muLawToALaw ? MuLawToALawTable : ALawToMuLawTable;
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = table[source[i]];
        }
    }

    private static void CheckLengths(int source, int destination)
    {
        if (destination < source)
        {
            throw new ArgumentException("Destination is shorter than the source.", nameof(destination));
        }
    }

    private static short[] BuildMuLawDecode()
    {
        var table = new short[256];
        for (var i = 0; i < 256; i++)
        {
            var u = ~i & 0xFF;
            var t = ((u & 0x0F) << 3) + 0x84;
            t <<= (u & 0x70) >> 4;
            table[i] = (short)((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
        }

        return table;
    }

    private static short[] BuildALawDecode()
    {
        var table = new short[256];
        for (var i = 0; i < 256; i++)
        {
            var a = i ^ 0x55;
            var t = (a & 0x0F) << 4;
            var segment = (a & 0x70) >> 4;
            t = segment switch
            {
                0 => t + 8,
                1 => t + 0x108,
                _ => (t + 0x108) << (segment - 1),
            };
            table[i] = (short)((a & 0x80) != 0 ? t : -t);
        }

        return table;
    }

    // Index = the 14-bit two's complement value (sample >> 2).
    private static byte[] BuildMuLawEncode()
    {
        var table = new byte[1 << 14];
        for (var index = 0; index < table.Length; index++)
        {
            var value = index >= 1 << 13 ? index - (1 << 14) : index;
            int mask;
            if (value < 0)
            {
                // One's complement magnitude, as in the ITU-T G.191 reference: -1 maps to 0x7F.
                value = -value - 1;
                mask = 0x7F;
            }
            else
            {
                mask = 0xFF;
            }

            value = Math.Min(value, 8159) + 0x21;
            var segment = Segment(value, 0x3F);
            table[index] = segment >= 8
                ? (byte)(0x7F ^ mask)
                : (byte)(((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask);
        }

        return table;
    }

    // Index = the 13-bit two's complement value (sample >> 3).
    private static byte[] BuildALawEncode()
    {
        var table = new byte[1 << 13];
        for (var index = 0; index < table.Length; index++)
        {
            var value = index >= 1 << 12 ? index - (1 << 13) : index;
            int mask;
            if (value >= 0)
            {
                mask = 0xD5;
            }
            else
            {
                mask = 0x55;
                value = -value - 1;
            }

            var segment = Segment(value, 0x1F);
            byte encoded;
            if (segment >= 8)
            {
                encoded = (byte)(0x7F ^ mask);
            }
            else
            {
                var a = segment << 4;
                a |= segment < 2 ? (value >> 1) & 0x0F : (value >> segment) & 0x0F;
                encoded = (byte)(a ^ mask);
            }

            table[index] = encoded;
        }

        return table;
    }

    // Segment ends double from firstEnd: 0x3F, 0x7F, ... (mu-law) or 0x1F, 0x3F, ... (A-law).
    private static int Segment(int value, int firstEnd)
    {
        var end = firstEnd;
        for (var segment = 0; segment < 8; segment++)
        {
            if (value <= end)
            {
                return segment;
            }

            end = (end << 1) | 1;
        }

        return 8;
    }

    private static byte[] BuildTranscode(short[] decode, byte[] encode, int shift)
    {
        var table = new byte[256];
        var mask = shift == 2 ? 0x3FFF : 0x1FFF;
        for (var i = 0; i < 256; i++)
        {
            table[i] = encode[(decode[i] >> shift) & mask];
        }

        return table;
    }
}
