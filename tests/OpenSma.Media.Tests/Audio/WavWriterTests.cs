using System.Buffers.Binary;
using OpenSma.Media.Audio;

namespace OpenSma.Media.Tests.Audio;

public sealed class WavWriterTests
{
    [Fact]
    public void WriteMono_RoundTripsThroughReader()
    {
        var samples = new short[] { 0, 1, -1, short.MaxValue, short.MinValue, 1234, -4321 };

        var file = WavWriter.WriteMono(samples);

        Assert.Equal(44 + (samples.Length * 2), file.Length);
        Assert.Equal(samples, WavReader.Decode(file).Audio!.Samples.ToArray());
    }

    [Fact]
    public void WriteMono_HeaderDescribes16BitPcm()
    {
        var file = WavWriter.WriteMono(new short[100], 16000);

        Assert.Equal("RIFF"u8.ToArray(), file[..4]);
        Assert.Equal(file.Length - 8, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(4)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(20)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(22)));
        Assert.Equal(16000, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(24)));
        Assert.Equal(32000, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(28)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(34)));
        Assert.Equal(200, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(40)));
    }

    [Fact]
    public void WriteStereo_InterleavesLegsAndPadsShorterOne()
    {
        short[] left = [1, 2, 3];
        short[] right = [-1];

        var file = WavWriter.WriteStereo(left, right);

        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(22)));
        Assert.Equal(4, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(32)));
        var body = file.AsSpan(44);
        short[] expected = [1, -1, 2, 0, 3, 0];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], BinaryPrimitives.ReadInt16LittleEndian(body[(i * 2)..]));
        }
    }

    [Fact]
    public void WriteStereo_ReaderDownMixesToAverage()
    {
        var file = WavWriter.WriteStereo([1000, 2000], [3000, -2000]);

        Assert.Equal(new short[] { 2000, 0 }, WavReader.Decode(file).Audio!.Samples.ToArray());
    }
}
