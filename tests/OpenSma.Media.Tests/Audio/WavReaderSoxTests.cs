using OpenSma.Media.Audio;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Audio;

/// <summary>Files written by sox, a real encoder, rather than by our own test builder.</summary>
public sealed class WavReaderSoxTests
{
    [Theory]
    [InlineData("-e unsigned-integer -b 8", 8000, 1)]
    [InlineData("-e signed-integer -b 16", 44100, 1)]
    [InlineData("-e signed-integer -b 16", 48000, 2)]
    [InlineData("-e signed-integer -b 24", 96000, 2)]
    [InlineData("-e signed-integer -b 32", 22050, 1)]
    [InlineData("-e floating-point -b 32", 16000, 2)]
    [InlineData("-e floating-point -b 64", 11025, 1)]
    [InlineData("-e mu-law -b 8", 8000, 1)]
    [InlineData("-e a-law -b 8", 16000, 1)]
    [InlineData("-e signed-integer -b 16", 32000, 6)]
    public void Decode_SoxFile_YieldsToneAtLevelAndLength(string encoding, int rate, int channels)
    {
        using var scratch = new ExternalTool.Scratch();
        var path = scratch.File("tone.wav");
        var arguments = new List<string> { "-n", "-r", rate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", channels.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        arguments.AddRange(encoding.Split(' '));
        arguments.AddRange([path, "synth", "1.5", "sine", "1000", "vol", "0.5"]);
        ExternalTool.Run("sox", [.. arguments]);

        var result = WavReader.Decode(File.ReadAllBytes(path));

        Assert.Null(result.Error);
        var audio = result.Audio!;
        Assert.InRange(audio.Length, 11999, 12001);
        var middle = audio.Samples.Span[800..11200];
        var tolerance = encoding.Contains("-b 8", StringComparison.Ordinal) ? 0.05 : 0.02;
        Assert.InRange(Signal.Amplitude(middle, 1000), 0.5 * 32768 * (1 - tolerance), 0.5 * 32768 * (1 + tolerance));
        Assert.InRange(Signal.Rms(middle), 0.5 * 32768 / Math.Sqrt(2) * (1 - tolerance), 0.5 * 32768 / Math.Sqrt(2) * (1 + tolerance));
    }

    [Fact]
    public void Decode_SoxMp3LikeCompressedWav_ReturnsClearError()
    {
        using var scratch = new ExternalTool.Scratch();
        var path = scratch.File("adpcm.wav");
        ExternalTool.Run("sox", "-n", "-r", "8000", "-c", "1", "-e", "ima-adpcm", path, "synth", "0.5", "sine", "1000");

        var result = WavReader.Decode(File.ReadAllBytes(path));

        Assert.Null(result.Audio);
        Assert.Contains("IMA ADPCM", result.Error, StringComparison.Ordinal);
    }
}
