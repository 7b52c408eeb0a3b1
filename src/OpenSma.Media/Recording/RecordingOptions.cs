using OpenSma.Media.Audio;

namespace OpenSma.Media.Recording;

/// <summary>RecordAudio's limits: a maximum length and, optionally, stopping after sustained silence.</summary>
public sealed record RecordingOptions(TimeSpan MaxDuration)
{
    /// <summary>Chime's SilenceThreshold scale (1-1000); used with <see cref="SilenceDuration"/>.</summary>
    public int SilenceThreshold { get; init; } = 200;

    /// <summary>Stop after this much continuous silence; null records until stopped or full.</summary>
    public TimeSpan? SilenceDuration { get; init; }
}

public enum RecordingStopReason
{
    /// <summary>Stop() was called (a terminator digit, hang-up, or an interrupting action).</summary>
    Stopped,

    MaxDuration,

    Silence,
}

public sealed record RecordingResult(PcmAudio Audio, RecordingStopReason Reason)
{
    public byte[] ToWav() => WavWriter.WriteMono(Audio.Samples.Span);
}
