using OpenSma.Media.Audio;

namespace OpenSma.Engine.Speech;

/// <summary>Why a synthesis failed; the executors map each kind to the ErrorType of spec §7.13.</summary>
public enum SpeechFailure
{
    /// <summary>The backend rejected the parameters (voice, language, engine, SSML): InvalidActionParameter.</summary>
    InvalidParameter,
    /// <summary>The backend refused our credentials: AccessDenied.</summary>
    AccessDenied,
    /// <summary>The backend throttled us: ActionExecutionThrottled.</summary>
    Throttled,
    /// <summary>Anything else (process crash, timeout, network): SystemException.</summary>
    SystemError,
}

/// <summary>Outcome of a synthesis: exactly one of <see cref="Audio"/> and <see cref="Failure"/> is set.</summary>
public sealed record SpeechResult(PcmAudio? Audio, SpeechFailure? Failure, string? Message)
{
    public static SpeechResult Success(PcmAudio audio) => new(audio, null, null);

    public static SpeechResult Fail(SpeechFailure failure, string message) => new(null, failure, message);

    public bool IsSuccess => Audio is not null;
}
