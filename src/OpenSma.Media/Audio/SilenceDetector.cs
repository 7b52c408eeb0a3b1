namespace OpenSma.Media.Audio;

/// <summary>
/// RecordAudio's silence detection. Chime's SilenceThreshold (1-1000) describes loudness in room
/// terms; it maps piecewise-linearly onto an equivalent sound level (1 = 30 dB quiet room,
/// 100 = 45 dB whisper, 200 = 60 dB busy office, 1000 = 75 dB loud voice) and that onto the
/// signal's RMS level with 75 dB SPL at -10 dBFS (speech at conversational level reaches a
/// telephone line at roughly -20 dBFS). A frame is silent when its RMS is below that level.
/// </summary>
public sealed class SilenceDetector
{
    private readonly double _thresholdMeanSquare;
    private readonly long _requiredSamples;
    private long _silentSamples;

    public SilenceDetector(int threshold, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threshold, 1000);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        LevelDbfs = ThresholdToDbfs(threshold);
        var rms = 32768 * Math.Pow(10, LevelDbfs / 20);
        _thresholdMeanSquare = rms * rms;
        _requiredSamples = PcmAudio.SamplesFor(duration);
    }

    /// <summary>The RMS level, in dB relative to full scale, below which audio counts as silence.</summary>
    public double LevelDbfs { get; }

    public static double ThresholdToSoundLevelDb(int threshold) => threshold switch
    {
        <= 100 => 30 + ((threshold - 1) * 15.0 / 99),
        <= 200 => 45 + ((threshold - 100) * 15.0 / 100),
        _ => 60 + ((threshold - 200) * 15.0 / 800),
    };

    public static double ThresholdToDbfs(int threshold) => ThresholdToSoundLevelDb(threshold) - 85;

    /// <summary>Feeds one frame; true once the signal has stayed below the threshold for the duration.</summary>
    public bool Process(ReadOnlySpan<short> frame)
    {
        if (frame.IsEmpty)
        {
            return _silentSamples >= _requiredSamples && _requiredSamples > 0;
        }

        long sum = 0;
        foreach (var sample in frame)
        {
            sum += sample * sample;
        }

        var meanSquare = (double)sum / frame.Length;
        if (meanSquare < _thresholdMeanSquare)
        {
            _silentSamples += frame.Length;
        }
        else
        {
            _silentSamples = 0;
        }

        return _silentSamples >= _requiredSamples;
    }

    public void Reset() => _silentSamples = 0;
}
