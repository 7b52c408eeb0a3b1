using OpenSma.Media.Audio;
using OpenSma.Media.Tests.TestSupport;
using static OpenSma.Media.Tests.TestSupport.WavBuilder;

namespace OpenSma.Media.Tests.Audio;

public sealed class WavReaderTests
{
    public static TheoryData<Kind, int> EncodingsAndRates()
    {
        var data = new TheoryData<Kind, int>();
        foreach (var kind in Enum.GetValues<Kind>())
        {
            foreach (var rate in new[] { 8000, 11025, 16000, 22050, 44100, 48000, 96000 })
            {
                data.Add(kind, rate);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EncodingsAndRates))]
    public void Decode_ToneInAnyEncodingAndRate_Yields8kHzToneWithSameLevelAndDuration(Kind kind, int rate)
    {
        var input = Signal.Sine(1000, 0.5, rate, rate / 2);

        var result = WavReader.Decode(Mono(kind, rate, input));

        Assert.Null(result.Error);
        var audio = result.Audio!;
        Assert.InRange(audio.Length, 3999, 4001);
        var middle = audio.Samples.Span[400..3600];
        var tolerance = kind == Kind.Pcm8 ? 0.04 : 0.02;
        Assert.InRange(Signal.Amplitude(middle, 1000), 0.5 * 32768 * (1 - tolerance), 0.5 * 32768 * (1 + tolerance));
        // Nothing but the tone: total RMS matches the tone's RMS, so no added noise or distortion.
        Assert.InRange(Signal.Rms(middle), 0.5 * 32768 / Math.Sqrt(2) * (1 - tolerance), 0.5 * 32768 / Math.Sqrt(2) * (1 + tolerance));
    }

    [Theory]
    [InlineData(44100, 6000)]
    [InlineData(48000, 5000)]
    [InlineData(16000, 7000)]
    [InlineData(96000, 12000)]
    public void Decode_ToneAboveTelephoneNyquist_IsFilteredNotAliased(int rate, double frequency)
    {
        var input = Signal.Sine(frequency, 0.5, rate, rate / 2);

        var audio = WavReader.Decode(Mono(Kind.Float32, rate, input)).Audio!;

        // Dropping or linearly interpolating samples would fold this tone into the band at
        // roughly the input level (about 11,000 RMS); the anti-alias filter leaves noise only.
        var rms = Signal.Rms(audio.Samples.Span[400..3600]);
        Assert.True(rms < 5, $"aliased energy RMS {rms}");
    }

    [Theory]
    [InlineData(44100)]
    [InlineData(48000)]
    [InlineData(22050)]
    public void Decode_TelephoneBandTone_PassesWithinHalfDecibel(int rate)
    {
        var input = Signal.Sine(3300, 0.5, rate, rate / 2);

        var audio = WavReader.Decode(Mono(Kind.Float32, rate, input)).Audio!;

        var amplitude = Signal.Amplitude(audio.Samples.Span[400..3600], 3300);
        var gainDb = 20 * Math.Log10(amplitude / (0.5 * 32768));
        Assert.InRange(gainDb, -0.5, 0.5);
    }

    [Fact]
    public void Decode_Stereo_DownMixesBothChannels()
    {
        var left = Signal.Sine(1000, 0.4, 16000, 8000);
        var right = Signal.Sine(600, 0.4, 16000, 8000);

        var audio = WavReader.Decode(Build(Kind.Pcm16, 16000, [left, right])).Audio!;

        var middle = audio.Samples.Span[400..3600];
        Assert.InRange(Signal.Amplitude(middle, 1000), 0.19 * 32768, 0.21 * 32768);
        Assert.InRange(Signal.Amplitude(middle, 600), 0.19 * 32768, 0.21 * 32768);
    }

    [Theory]
    [InlineData(Kind.Pcm16)]
    [InlineData(Kind.Pcm24)]
    [InlineData(Kind.Float32)]
    [InlineData(Kind.MuLaw)]
    public void Decode_ExtensibleFormatWithOddChunks_DecodesLikePlainFormat(Kind kind)
    {
        var input = Signal.Sine(1000, 0.5, 48000, 24000);
        var file = Build(kind, 48000, [input, input], extensible: true, extraChunks: true);

        var result = WavReader.Decode(file);

        Assert.Null(result.Error);
        Assert.InRange(Signal.Amplitude(result.Audio!.Samples.Span[400..3600], 1000), 0.49 * 32768, 0.51 * 32768);
    }

    [Fact]
    public void Decode_8kHzPcm16_IsSampleExact()
    {
        var input = Signal.Sine(440, 0.3, 8000, 800);
        var file = Mono(Kind.Pcm16, 8000, input);

        var audio = WavReader.Decode(file).Audio!;

        for (var i = 0; i < input.Length; i++)
        {
            Assert.Equal((short)Math.Round(input[i] * 32767), audio.Samples.Span[i]);
        }
    }

    [Fact]
    public void Decode_StreamingPlaceholderDataSize_ReadsToEndOfFile()
    {
        var file = Mono(Kind.Pcm16, 8000, Signal.Sine(440, 0.3, 8000, 800));
        BitConverter.GetBytes(uint.MaxValue).CopyTo(file, 40);

        var result = WavReader.Decode(file);

        Assert.Equal(800, result.Audio!.Length);
    }

    public static TheoryData<string, byte[]> BadFiles()
    {
        var valid = Mono(Kind.Pcm16, 8000, Signal.Sine(440, 0.3, 8000, 800));
        byte[] With(Action<byte[]> change)
        {
            var copy = (byte[])valid.Clone();
            change(copy);
            return copy;
        }

        return new TheoryData<string, byte[]>
        {
            { "too short", [] },
            { "missing RIFF header", With(f => f[0] = (byte)'X') },
            { "not WAVE", With(f => f[8] = (byte)'A') },
            { "MP3", With(f => BitConverter.GetBytes((ushort)0x55).CopyTo(f, 20)) },
            { "IMA ADPCM", With(f => BitConverter.GetBytes((ushort)0x11).CopyTo(f, 20)) },
            { "sample rate 4000 Hz", With(f => BitConverter.GetBytes(4000).CopyTo(f, 24)) },
            { "sample rate 192000 Hz", With(f => BitConverter.GetBytes(192000).CopyTo(f, 24)) },
            { "0 channels", With(f => BitConverter.GetBytes((ushort)0).CopyTo(f, 22)) },
            { "block align", With(f => BitConverter.GetBytes((ushort)7).CopyTo(f, 32)) },
            { "12 bits per sample", With(f => BitConverter.GetBytes((ushort)12).CopyTo(f, 34)) },
            { "truncated", valid[..500] },
            { "no data chunk", With(f => f[36] = (byte)'x')[..44] },
            { "no fmt chunk", With(f => f[12] = (byte)'x')[..36] },
        };
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Decode_BadFile_ReturnsErrorWithoutThrowing(string problem, byte[] file)
    {
        var result = WavReader.Decode(file);

        Assert.Null(result.Audio);
        Assert.False(string.IsNullOrWhiteSpace(result.Error), problem);
    }

    [Fact]
    public void Decode_CompressedFormat_NamesTheFormat()
    {
        var file = Mono(Kind.Pcm16, 8000, new double[10]);
        BitConverter.GetBytes((ushort)0x55).CopyTo(file, 20);

        Assert.Contains("MP3", WavReader.Decode(file).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_LargerThan50MB_ReturnsError()
    {
        var file = new byte[WavReader.MaxFileBytes + 1];
        Mono(Kind.Pcm16, 8000, new double[10]).CopyTo(file, 0);

        Assert.Contains("50 MB", WavReader.Decode(file).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RandomCorruption_NeverThrowsAndSetsExactlyOneField()
    {
        var valid = Build(Kind.Pcm24, 44100, [Signal.Sine(1000, 0.5, 44100, 2000)], extensible: true, extraChunks: true);
        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var file = (byte[])valid.Clone();
            var flips = random.Next(1, 6);
            for (var f = 0; f < flips; f++)
            {
                file[random.Next(Math.Min(file.Length, 120))] = (byte)random.Next(256);
            }

            var length = random.Next(2) == 0 ? file.Length : random.Next(file.Length);
            var result = WavReader.Decode(file.AsSpan(0, length));

            Assert.True(result.Audio is null ^ result.Error is null);
        }
    }
}
