using System.Buffers.Binary;
using OpenSma.Media.Codecs;

namespace OpenSma.Media.Audio;

/// <summary>
/// Decodes the WAV files real SMA handlers ship into 8 kHz mono PCM. Bad input is reported as
/// an error value with a message a handler author can act on; nothing throws.
/// </summary>
public static class WavReader
{
    public const int MaxFileBytes = 50 * 1024 * 1024;

    public static WavDecodeResult Decode(ReadOnlySpan<byte> file)
    {
        try
        {
            return DecodeCore(file);
        }
        catch (Exception ex)
        {
            // The parser checks every length it reads; this is the backstop that keeps the promise
            // that bad input yields an error value, never an exception.
            return WavDecodeResult.Failure($"WAV could not be decoded: {ex.Message}");
        }
    }

    private static WavDecodeResult DecodeCore(ReadOnlySpan<byte> file)
    {
        if (file.Length > MaxFileBytes)
        {
            return WavDecodeResult.Failure($"WAV file is {file.Length} bytes; the limit is {MaxFileBytes} bytes (50 MB)");
        }

        if (file.Length < 12)
        {
            return WavDecodeResult.Failure("file is too short to be a WAV file (no RIFF header)");
        }

        if (!file[..4].SequenceEqual("RIFF"u8))
        {
            return WavDecodeResult.Failure(file[..4].SequenceEqual("RIFX"u8)
                ? "big-endian RIFX WAV is not supported"
                : "not a WAV file: missing RIFF header");
        }

        if (!file.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            return WavDecodeResult.Failure("not a WAV file: RIFF form type is not WAVE");
        }

        WavFormat? format = null;
        var offset = 12;
        while (offset + 8 <= file.Length)
        {
            var id = file.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(offset + 4, 4));
            var bodyStart = offset + 8;
            var available = file.Length - bodyStart;

            if (id.SequenceEqual("fmt "u8))
            {
                if (size > available)
                {
                    return WavDecodeResult.Failure($"fmt chunk declares {size} bytes but only {available} remain (truncated file)");
                }

                var error = WavFormat.TryParse(file.Slice(bodyStart, (int)size), out format);
                if (error is not null)
                {
                    return WavDecodeResult.Failure(error);
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    return WavDecodeResult.Failure("data chunk appears before the fmt chunk");
                }

                int length;
                if (size <= available)
                {
                    length = (int)size;
                }
                else if (size == uint.MaxValue || size == 0)
                {
                    // Streaming writers (sox to a pipe, live recorders) leave a placeholder size.
                    length = available;
                }
                else
                {
                    return WavDecodeResult.Failure($"data chunk declares {size} bytes but only {available} remain (truncated file)");
                }

                var frames = length / format.BlockAlign;
                if (frames == 0)
                {
                    return WavDecodeResult.Failure("data chunk holds no complete sample frames");
                }

                return WavDecodeResult.Success(new PcmAudio(Convert(file.Slice(bodyStart, frames * format.BlockAlign), format, frames)));
            }

            // Skip LIST, fact, cue, bext, ... Chunk bodies are padded to an even size.
            var skip = (long)size + (size & 1);
            if (skip > available)
            {
                break;
            }

            offset = bodyStart + (int)skip;
        }

        return WavDecodeResult.Failure(format is null ? "WAV has no fmt chunk" : "WAV has no data chunk");
    }

    private static short[] Convert(ReadOnlySpan<byte> data, WavFormat format, int frames)
    {
        var mono = new float[frames];
        var channels = format.Channels;
        var bytesPerSample = format.BitsPerSample / 8;
        var scale = 1f / channels;
        for (var frame = 0; frame < frames; frame++)
        {
            var sum = 0f;
            var frameStart = frame * format.BlockAlign;
            for (var channel = 0; channel < channels; channel++)
            {
                sum += ReadSample(data.Slice(frameStart + (channel * bytesPerSample), bytesPerSample), format.Encoding);
            }

            mono[frame] = sum * scale;
        }

        return Resampler.ToTelephoneRate(mono, format.SampleRate);
    }

    // Returns the sample as a float in [-1, 1).
    private static float ReadSample(ReadOnlySpan<byte> bytes, WavEncoding encoding)
    {
        switch (encoding)
        {
            case WavEncoding.Pcm:
                return bytes.Length switch
                {
                    1 => (bytes[0] - 128) / 128f,
                    2 => BinaryPrimitives.ReadInt16LittleEndian(bytes) / 32768f,
                    3 => ((bytes[0] << 8) | (bytes[1] << 16) | (bytes[2] << 24)) / 2147483648f,
                    _ => BinaryPrimitives.ReadInt32LittleEndian(bytes) / 2147483648f,
                };
            case WavEncoding.IeeeFloat:
                var value = bytes.Length == 4
                    ? BinaryPrimitives.ReadSingleLittleEndian(bytes)
                    : (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes);
                // NaN and infinities in a corrupt float file become silence and full scale, not poison.
                return float.IsNaN(value) ? 0f : Math.Clamp(value, -1f, 1f);
            case WavEncoding.MuLaw:
                return G711.DecodeMuLaw(bytes[0]) / 32768f;
            default:
                return G711.DecodeALaw(bytes[0]) / 32768f;
        }
    }
}
