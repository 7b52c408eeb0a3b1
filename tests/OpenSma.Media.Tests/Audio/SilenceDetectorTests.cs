using OpenSma.Media.Audio;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Audio;

public sealed class SilenceDetectorTests
{
    private static short[] Tone(double dbfs)
    {
        var amplitude = 32768 * Math.Pow(10, dbfs / 20) * Math.Sqrt(2);
        return Signal.Sine(1000, amplitude, 8000, 160).Select(v => (short)Math.Round(v)).ToArray();
    }

    [Fact]
    public void ThresholdToSoundLevelDb_MatchesSpecAnchors()
    {
        Assert.Equal(30, SilenceDetector.ThresholdToSoundLevelDb(1), 6);
        Assert.Equal(45, SilenceDetector.ThresholdToSoundLevelDb(100), 6);
        Assert.Equal(60, SilenceDetector.ThresholdToSoundLevelDb(200), 6);
        Assert.Equal(75, SilenceDetector.ThresholdToSoundLevelDb(1000), 6);
        for (var t = 2; t <= 1000; t++)
        {
            Assert.True(SilenceDetector.ThresholdToDbfs(t) > SilenceDetector.ThresholdToDbfs(t - 1));
        }
    }

    [Fact]
    public void Process_QuietSignalForDuration_ReportsSilenceExactlyAtDuration()
    {
        var detector = new SilenceDetector(200, TimeSpan.FromSeconds(1));
        var quiet = Tone(-40); // below the -25 dBFS busy-office level

        for (var frame = 1; frame < 50; frame++)
        {
            Assert.False(detector.Process(quiet), $"frame {frame}");
        }

        Assert.True(detector.Process(quiet));
        Assert.True(detector.Process(quiet));
    }

    [Fact]
    public void Process_SoundInterruptingSilence_RestartsTheCount()
    {
        var detector = new SilenceDetector(200, TimeSpan.FromMilliseconds(200));
        var quiet = new short[160];
        var loud = Tone(-15);

        for (var i = 0; i < 9; i++)
        {
            detector.Process(quiet);
        }

        Assert.False(detector.Process(loud));
        for (var i = 0; i < 9; i++)
        {
            Assert.False(detector.Process(quiet));
        }

        Assert.True(detector.Process(quiet));
    }

    [Theory]
    [InlineData(1, -50, false)]     // quiet-room threshold: a whisper-level signal is sound
    [InlineData(100, -45, true)]    // whisper threshold (-40 dBFS): fainter is silence
    [InlineData(100, -35, false)]
    [InlineData(1000, -15, true)]   // loud-voice threshold (-10 dBFS): normal speech is silence
    public void Process_LevelRelativeToThreshold_ClassifiesFrame(int threshold, double dbfs, bool silent)
    {
        var detector = new SilenceDetector(threshold, TimeSpan.FromMilliseconds(20));

        Assert.Equal(silent, detector.Process(Tone(dbfs)));
    }

    [Fact]
    public void Reset_ClearsAccumulatedSilence()
    {
        var detector = new SilenceDetector(200, TimeSpan.FromMilliseconds(40));
        detector.Process(new short[160]);
        detector.Reset();

        Assert.False(detector.Process(new short[160]));
        Assert.True(detector.Process(new short[160]));
    }
}
