using System.Buffers.Binary;
using OpenSma.Media.Audio;

namespace OpenSma.Speech.Espeak;

/// <summary>Decodes espeak-ng's WAV output to 8 kHz mono.</summary>
internal static class EspeakWav
{
    /// <summary>
    /// espeak-ng writing to a pipe cannot seek back, so its RIFF and data sizes are placeholders
    /// (0x7FFFF000). They are set to the bytes actually received before the WAV reader sees them.
    /// </summary>
    public static WavDecodeResult Decode(byte[] wav)
    {
        if (wav.Length >= 12 && wav.AsSpan(0, 4).SequenceEqual("RIFF"u8))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(4, 4), (uint)(wav.Length - 8));
            var offset = 12;
            while (offset + 8 <= wav.Length)
            {
                var size = BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(offset + 4, 4));
                var available = (uint)(wav.Length - offset - 8);
                if (wav.AsSpan(offset, 4).SequenceEqual("data"u8))
                {
                    if (size > available)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(offset + 4, 4), available);
                    }

                    break;
                }

                if (size > available)
                {
                    break;
                }

                offset += 8 + (int)size + (int)(size & 1);
            }
        }

        return WavReader.Decode(wav);
    }
}
