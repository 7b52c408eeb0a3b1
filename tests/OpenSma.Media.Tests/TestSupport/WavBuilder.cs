using System.Buffers.Binary;
using OpenSma.Media.Codecs;

namespace OpenSma.Media.Tests.TestSupport;

/// <summary>Builds WAV files in any encoding the reader must accept, from samples in [-1, 1].</summary>
public static class WavBuilder
{
    public enum Kind
    {
        Pcm8,
        Pcm16,
        Pcm24,
        Pcm32,
        Float32,
        Float64,
        MuLaw,
        ALaw,
    }

    internal static byte[] Build(Kind kind, int sampleRate, double[][] channels, bool extensible = false, bool extraChunks = false)
    {
        var (tag, bits) = kind switch
        {
            Kind.Pcm8 => (1, 8),
            Kind.Pcm16 => (1, 16),
            Kind.Pcm24 => (1, 24),
            Kind.Pcm32 => (1, 32),
            Kind.Float32 => (3, 32),
            Kind.Float64 => (3, 64),
            Kind.MuLaw => (7, 8),
            _ => (6, 8),
        };
        var channelCount = channels.Length;
        var frames = channels[0].Length;
        var bytesPerSample = bits / 8;
        var blockAlign = channelCount * bytesPerSample;
        var data = new byte[frames * blockAlign];
        for (var f = 0; f < frames; f++)
        {
            for (var c = 0; c < channelCount; c++)
            {
                WriteSample(data.AsSpan((f * blockAlign) + (c * bytesPerSample), bytesPerSample), kind, channels[c][f]);
            }
        }

        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(0); // patched below
        writer.Write("WAVE"u8);
        if (extraChunks)
        {
            // An odd-sized LIST chunk followed by its pad byte.
            writer.Write("LIST"u8);
            writer.Write(5);
            writer.Write("INFOx"u8);
            writer.Write((byte)0);
        }

        writer.Write("fmt "u8);
        writer.Write(extensible ? 40 : 16);
        writer.Write((ushort)(extensible ? 0xFFFE : tag));
        writer.Write((ushort)channelCount);
        writer.Write(sampleRate);
        writer.Write(sampleRate * blockAlign);
        writer.Write((ushort)blockAlign);
        writer.Write((ushort)bits);
        if (extensible)
        {
            writer.Write((ushort)22);
            writer.Write((ushort)bits);
            writer.Write(channelCount == 1 ? 4 : 3);
            writer.Write((ushort)tag);
            writer.Write(new byte[] { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71 });
        }

        if (extraChunks)
        {
            writer.Write("fact"u8);
            writer.Write(4);
            writer.Write(frames);
        }

        writer.Write("data"u8);
        writer.Write(data.Length);
        writer.Write(data);
        if (extraChunks)
        {
            writer.Write("LIST"u8);
            writer.Write(4);
            writer.Write("INFO"u8);
        }

        writer.Flush();
        var file = stream.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(4), file.Length - 8);
        return file;
    }

    internal static byte[] Mono(Kind kind, int sampleRate, double[] samples, bool extensible = false) =>
        Build(kind, sampleRate, [samples], extensible);

    private static void WriteSample(Span<byte> target, Kind kind, double value)
    {
        value = Math.Clamp(value, -1.0, 1.0 - (1.0 / 8388608));
        switch (kind)
        {
            case Kind.Pcm8:
                target[0] = (byte)Math.Clamp(Math.Round((value * 128) + 128), 0, 255);
                break;
            case Kind.Pcm16:
                BinaryPrimitives.WriteInt16LittleEndian(target, (short)Math.Round(value * 32767));
                break;
            case Kind.Pcm24:
                var v24 = (int)Math.Round(value * 8388607);
                target[0] = (byte)v24;
                target[1] = (byte)(v24 >> 8);
                target[2] = (byte)(v24 >> 16);
                break;
            case Kind.Pcm32:
                BinaryPrimitives.WriteInt32LittleEndian(target, (int)Math.Round(value * 2147483647.0));
                break;
            case Kind.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(target, (float)value);
                break;
            case Kind.Float64:
                BinaryPrimitives.WriteDoubleLittleEndian(target, value);
                break;
            case Kind.MuLaw:
                target[0] = G711.EncodeMuLaw((short)Math.Round(value * 32767));
                break;
            default:
                target[0] = G711.EncodeALaw((short)Math.Round(value * 32767));
                break;
        }
    }
}
