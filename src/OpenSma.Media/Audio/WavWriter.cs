using System.Buffers.Binary;

namespace OpenSma.Media.Audio;

/// <summary>Writes 16-bit PCM WAV files: mono recordings, and stereo call recordings with one leg per channel.</summary>
public static class WavWriter
{
    public const int HeaderBytes = 44;

    public static byte[] WriteMono(ReadOnlySpan<short> samples, int sampleRate = PcmAudio.SampleRate)
    {
        var file = new byte[HeaderBytes + (samples.Length * 2)];
        WriteHeader(file, channels: 1, sampleRate, samples.Length);
        var body = file.AsSpan(HeaderBytes);
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(body[(i * 2)..], samples[i]);
        }

        return file;
    }

    /// <summary>Interleaves two legs; the shorter one is padded with silence so both channels stay aligned.</summary>
    public static byte[] WriteStereo(ReadOnlySpan<short> left, ReadOnlySpan<short> right, int sampleRate = PcmAudio.SampleRate)
    {
        var frames = Math.Max(left.Length, right.Length);
        var file = new byte[HeaderBytes + (frames * 4)];
        WriteHeader(file, channels: 2, sampleRate, frames);
        var body = file.AsSpan(HeaderBytes);
        for (var i = 0; i < frames; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(body[(i * 4)..], i < left.Length ? left[i] : (short)0);
            BinaryPrimitives.WriteInt16LittleEndian(body[((i * 4) + 2)..], i < right.Length ? right[i] : (short)0);
        }

        return file;
    }

    internal static void WriteHeader(Span<byte> header, int channels, int sampleRate, int frames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        var blockAlign = channels * 2;
        var dataBytes = checked(frames * blockAlign);
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(36 + dataBytes));
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)(sampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], (uint)dataBytes);
    }
}
