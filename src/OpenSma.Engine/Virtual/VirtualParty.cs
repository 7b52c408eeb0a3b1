using OpenSma.Media.Audio;

namespace OpenSma.Engine.Virtual;

/// <summary>How a virtual phone answers when it is called.</summary>
public enum VirtualAnswer
{
    Answer,
    Busy,
    NoAnswer,
    Reject,
}

/// <summary>Something the far end does at a time after the leg connects.</summary>
public abstract record VirtualCue(TimeSpan At);

public sealed record DigitCue(TimeSpan At, char Digit) : VirtualCue(At);

public sealed record SayCue(TimeSpan At, PcmAudio Audio) : VirtualCue(At);

public sealed record HangupCue(TimeSpan At) : VirtualCue(At);

/// <summary>
/// The script of a virtual phone: how it answers when called, and what it presses, says and does
/// once connected. Times are measured from the moment the leg connects.
/// </summary>
public sealed record VirtualParty
{
    public VirtualAnswer Answer { get; init; } = VirtualAnswer.Answer;

    /// <summary>How long it rings before answering, or before Busy/Reject is signalled.</summary>
    public TimeSpan RingFor { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The SIP code for <see cref="VirtualAnswer.Reject"/> (e.g. 603 decline, 404).</summary>
    public int RejectCode { get; init; } = 603;

    public IReadOnlyList<VirtualCue> Cues { get; init; } = [];

    public static VirtualParty Answering(params VirtualCue[] cues) => new() { Cues = cues };
}
