namespace OpenSma.Engine.Contracts;

/// <summary>An ACTION_FAILED reason: the documented ErrorType and ErrorMessage strings (spec §7).</summary>
public sealed record ActionError(string ErrorType, string ErrorMessage)
{
    public const string InvalidActionParameter = nameof(InvalidActionParameter);
    public const string MissingRequiredActionParameter = nameof(MissingRequiredActionParameter);
    public const string SystemException = nameof(SystemException);
    public const string InvalidAudioSource = nameof(InvalidAudioSource);
    public const string CallNotAnswered = nameof(CallNotAnswered);
    public const string AccessDenied = nameof(AccessDenied);
    public const string ActionExecutionThrottled = nameof(ActionExecutionThrottled);
    public const string ResourceNotFound = nameof(ResourceNotFound);
    public const string ResourceAccessDenied = nameof(ResourceAccessDenied);

    /// <summary>Our choice for "no valid input after all attempts" (spec §7.5 leaves it open; see docs/decisions).</summary>
    public const string DigitsNotReceived = nameof(DigitsNotReceived);

    public static ActionError InvalidLeg { get; } =
        new(InvalidActionParameter, "CallId or ParticipantTag parameter for action is invalid.");

    public static ActionError AudioSourceInvalid { get; } =
        new(InvalidAudioSource, "Audio Source parameter value is invalid.");

    public static ActionError AudioSourceInaccessible { get; } =
        new(InvalidAudioSource, "Cannot access S3 bucket or audio file.");

    public static ActionError System { get; } = new(SystemException, "System error while running action.");

    public static ActionError NotAnswered { get; } = new(CallNotAnswered, "Call not answered");

    public static ActionError Invalid(string message) => new(InvalidActionParameter, message);

    public static ActionError Missing(string message) => new(MissingRequiredActionParameter, message);
}
