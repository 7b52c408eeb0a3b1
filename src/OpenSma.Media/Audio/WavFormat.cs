namespace OpenSma.Media.Audio;

/// <summary>The sample encodings the WAV reader accepts, after unwrapping WAVE_FORMAT_EXTENSIBLE.</summary>
internal enum WavEncoding
{
    Pcm = 1,
    IeeeFloat = 3,
    ALaw = 6,
    MuLaw = 7,
}

/// <summary>A validated 'fmt ' chunk.</summary>
internal sealed record WavFormat(WavEncoding Encoding, int Channels, int SampleRate, int BitsPerSample, int BlockAlign)
{
    public const ushort ExtensibleTag = 0xFFFE;
    public const int MinSampleRate = 8000;
    public const int MaxSampleRate = 96000;
    public const int MaxChannels = 8;

    public static string? TryParse(ReadOnlySpan<byte> chunk, out WavFormat? format)
    {
        format = null;
        if (chunk.Length < 16)
        {
            return $"fmt chunk is {chunk.Length} bytes; at least 16 are required";
        }

        var tag = ReadUInt16(chunk, 0);
        var channels = ReadUInt16(chunk, 2);
        var sampleRate = ReadUInt32(chunk, 4);
        var blockAlign = ReadUInt16(chunk, 12);
        var bits = ReadUInt16(chunk, 14);

        if (tag == ExtensibleTag)
        {
            if (chunk.Length < 40)
            {
                return "WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes";
            }

            // The sub-format GUID starts with the classic format tag; the rest is the fixed
            // KSDATAFORMAT suffix 00000000-0010-8000-00AA00389B71.
            tag = ReadUInt16(chunk, 24);
            ReadOnlySpan<byte> suffix = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            if (!chunk.Slice(26, 14).SequenceEqual(suffix))
            {
                return "WAVE_FORMAT_EXTENSIBLE sub-format is not a standard KSDATAFORMAT GUID";
            }
        }

        WavEncoding encoding;
        switch (tag)
        {
            case 1:
                encoding = WavEncoding.Pcm;
                if (bits is not (8 or 16 or 24 or 32))
                {
                    return $"PCM with {bits} bits per sample is not supported (8, 16, 24 or 32)";
                }

                break;
            case 3:
                encoding = WavEncoding.IeeeFloat;
                if (bits is not (32 or 64))
                {
                    return $"IEEE float with {bits} bits per sample is not supported (32 or 64)";
                }

                break;
            case 6:
            case 7:
                encoding = (WavEncoding)tag;
                if (bits != 8)
                {
                    return $"G.711 WAV with {bits} bits per sample is invalid (must be 8)";
                }

                break;
            default:
                return $"WAV format tag 0x{tag:X4} ({DescribeTag(tag)}) is not supported; use PCM, IEEE float, mu-law or A-law";
        }

        if (channels is < 1 or > MaxChannels)
        {
            return $"{channels} channels is not supported (1 to {MaxChannels})";
        }

        if (sampleRate is < MinSampleRate or > MaxSampleRate)
        {
            return $"sample rate {sampleRate} Hz is not supported ({MinSampleRate} to {MaxSampleRate} Hz)";
        }

        var expectedAlign = channels * (bits / 8);
        if (blockAlign != expectedAlign)
        {
            return $"block align {blockAlign} does not match {channels} channel(s) of {bits} bits (expected {expectedAlign})";
        }

        format = new WavFormat(encoding, channels, (int)sampleRate, bits, blockAlign);
        return null;
    }

    private static string DescribeTag(ushort tag) => tag switch
    {
        0x0002 => "Microsoft ADPCM",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0040 => "G.721 ADPCM",
        0x0050 => "MPEG",
        0x0055 => "MP3",
        0x0064 => "G.726 ADPCM",
        0x0065 => "G.722 ADPCM",
        0x00FF => "AAC",
        _ => "compressed or unknown",
    };

    internal static ushort ReadUInt16(ReadOnlySpan<byte> span, int offset) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);

    internal static uint ReadUInt32(ReadOnlySpan<byte> span, int offset) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);
}
