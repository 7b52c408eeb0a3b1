using OpenSma.Media.Audio;
using OpenSma.Media.Dtmf;

namespace OpenSma.Media.Tests.Dtmf;

public sealed class InBandDtmfDetectorTests
{
    internal static string Detect(ReadOnlySpan<short> audio)
    {
        var detector = new InBandDtmfDetector();
        var found = new List<char>();
        for (var offset = 0; offset < audio.Length; offset += 160)
        {
            if (detector.Process(audio.Slice(offset, Math.Min(160, audio.Length - offset))) is { } digit)
            {
                found.Add(digit);
            }
        }

        return new string([.. found]);
    }

    private static short[] Tones(double low, double high, double lowAmplitude, double highAmplitude, int milliseconds)
    {
        var samples = new short[milliseconds * 8];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = i / 8000.0;
            samples[i] = (short)Math.Round((lowAmplitude * Math.Sin(2 * Math.PI * low * t)) + (highAmplitude * Math.Sin(2 * Math.PI * high * t)));
        }

        return samples;
    }

    private static PcmAudio Gap(int milliseconds) => PcmAudio.Silence(TimeSpan.FromMilliseconds(milliseconds));

    [Fact]
    public void Process_AllSixteenDigits_DetectedInOrder()
    {
        const string digits = "0123456789*#ABCD";
        var parts = digits.SelectMany(d => new[] { ToneGenerator.Dtmf(d, TimeSpan.FromMilliseconds(70)), Gap(60) }).ToArray();

        Assert.Equal(digits, Detect(PcmAudio.Concat(parts).Samples.Span));
    }

    [Fact]
    public void Process_SameDigitRepeated_DetectedEachTime()
    {
        var one = ToneGenerator.Dtmf('5', TimeSpan.FromMilliseconds(60));

        Assert.Equal("555", Detect(PcmAudio.Concat(one, Gap(50), one, Gap(50), one, Gap(50)).Samples.Span));
    }

    [Fact]
    public void Process_LongTone_ReportedOnce()
    {
        Assert.Equal("8", Detect(ToneGenerator.Dtmf('8', TimeSpan.FromSeconds(3)).Samples.Span));
    }

    [Theory]
    [InlineData(15)]
    [InlineData(20)]
    public void Process_TooShortBurst_Rejected(int milliseconds)
    {
        var audio = PcmAudio.Concat(Gap(13), ToneGenerator.Dtmf('3', TimeSpan.FromMilliseconds(milliseconds)), Gap(100));

        Assert.Equal(string.Empty, Detect(audio.Samples.Span));
    }

    [Theory]
    [InlineData(1.015)]
    [InlineData(0.985)]
    public void Process_FrequencyOffWithinTolerance_Detected(double factor)
    {
        Assert.Equal("9", Detect(Tones(852 * factor, 1477 * factor, 6000, 6000, 80)));
    }

    [Fact]
    public void Process_ExcessiveTwist_Rejected()
    {
        // High group 12 dB above the low group: beyond any telephone's forward twist.
        Assert.Equal(string.Empty, Detect(Tones(770, 1336, 1500, 6000, 100)));
        // Acceptable twist (3 dB forward, 6 dB reverse) is detected.
        Assert.Equal("5", Detect(Tones(770, 1336, 4250, 6000, 100)));
        Assert.Equal("5", Detect(Tones(770, 1336, 6000, 3000, 100)));
    }

    [Fact]
    public void Process_SingleTone_Rejected()
    {
        Assert.Equal(string.Empty, Detect(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 941).Samples.Span));
        Assert.Equal(string.Empty, Detect(ToneGenerator.Ringback(TimeSpan.FromSeconds(3)).Samples.Span));
    }

    [Fact]
    public void Process_TooQuiet_Rejected()
    {
        Assert.Equal(string.Empty, Detect(Tones(697, 1209, 200, 200, 200)));
        Assert.Equal("1", Detect(Tones(697, 1209, 800, 800, 200)));
    }

    [Fact]
    public void Process_ToneInModerateNoise_Detected()
    {
        var random = new Random(3);
        var tone = Tones(941, 1477, 5000, 5000, 200);
        var noisy = tone.Select(s => (short)(s + random.Next(-1000, 1000))).ToArray(); // about 14 dB SNR

        Assert.Equal("#", Detect(noisy));
    }

    [Fact]
    public void Process_WhiteNoise_NoDigits()
    {
        var random = new Random(5);
        var noise = Enumerable.Range(0, 8000 * 20).Select(_ => (short)random.Next(-12000, 12000)).ToArray();

        Assert.Equal(string.Empty, Detect(noise));
    }

    [Fact]
    public void Process_ToneWithStrongHarmonics_Rejected()
    {
        // A buzzy voiced sound whose fundamental and overtones hit DTMF rows and columns.
        var samples = new short[8000];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = i / 8000.0;
            double v = 0;
            for (var h = 1; h <= 6; h++)
            {
                v += 3000.0 / Math.Sqrt(h) * Math.Sin(2 * Math.PI * 697 * h * t);
            }

            samples[i] = (short)Math.Clamp(v + (3000 * Math.Sin(2 * Math.PI * 1209 * t)), short.MinValue, short.MaxValue);
        }

        Assert.Equal(string.Empty, Detect(samples));
    }
}
