using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenSma.Engine.Contracts;

// The parameters of the 18 action types (spec §7), as handlers send them. Numbers, booleans and
// strings are read leniently (spec §4); validation lives with each action's executor, which
// reports the documented ErrorType/ErrorMessage when the action is reached.

/// <summary>Leg selector shared by most actions (spec §6).</summary>
public abstract record LegTargetParameters
{
    public string? CallId { get; init; }

    public string? ParticipantTag { get; init; }
}

public sealed record S3AudioSource
{
    public string? Type { get; init; }

    public string? BucketName { get; init; }

    public string? Key { get; init; }
}

public sealed record HangupParameters : LegTargetParameters
{
    public LenientInt SipResponseCode { get; init; }
}

public sealed record PauseParameters : LegTargetParameters
{
    public LenientInt DurationInMilliseconds { get; init; }
}

public sealed record PlayAudioParameters : LegTargetParameters
{
    public IReadOnlyList<string>? PlaybackTerminators { get; init; }

    public LenientInt Repeat { get; init; }

    public S3AudioSource? AudioSource { get; init; }
}

/// <summary>Digit-collection settings shared by PlayAudioAndGetDigits and SpeakAndGetDigits.</summary>
public abstract record GetDigitsParameters : LegTargetParameters
{
    public string? InputDigitsRegex { get; init; }

    public LenientInt MinNumberOfDigits { get; init; }

    public LenientInt MaxNumberOfDigits { get; init; }

    public IReadOnlyList<string>? TerminatorDigits { get; init; }

    public LenientInt InBetweenDigitsDurationInMilliseconds { get; init; }

    public LenientInt Repeat { get; init; }

    public LenientInt RepeatDurationInMilliseconds { get; init; }
}

public sealed record PlayAudioAndGetDigitsParameters : GetDigitsParameters
{
    public S3AudioSource? AudioSource { get; init; }

    public S3AudioSource? FailureAudioSource { get; init; }
}

public sealed record ReceiveDigitsParameters : LegTargetParameters
{
    public string? InputDigitsRegex { get; init; }

    public LenientInt InBetweenDigitsDurationInMilliseconds { get; init; }

    public LenientInt FlushDigitsDurationInMilliseconds { get; init; }
}

public sealed record SendDigitsParameters : LegTargetParameters
{
    public string? Digits { get; init; }

    public LenientInt ToneDurationInMilliseconds { get; init; }
}

public sealed record RecordingDestination
{
    public string? Type { get; init; }

    public string? BucketName { get; init; }

    public string? Prefix { get; init; }
}

public sealed record RecordAudioParameters : LegTargetParameters
{
    public LenientInt DurationInSeconds { get; init; }

    public LenientInt SilenceDurationInSeconds { get; init; }

    public LenientInt SilenceThreshold { get; init; }

    public IReadOnlyList<string>? RecordingTerminators { get; init; }

    public RecordingDestination? RecordingDestination { get; init; }
}

public sealed record CallRecordingDestination
{
    public string? Type { get; init; }

    public string? Location { get; init; }
}

public sealed record StartCallRecordingParameters : LegTargetParameters
{
    public string? Track { get; init; }

    public CallRecordingDestination? Destination { get; init; }
}

/// <summary>Stop, Pause and Resume call recording take only the leg.</summary>
public sealed record CallRecordingControlParameters : LegTargetParameters;

public sealed record BridgeEndpoint
{
    public string? BridgeEndpointType { get; init; }

    public string? Uri { get; init; }

    public string? Arn { get; init; }
}

public sealed record CallAndBridgeParameters : LegTargetParameters
{
    public LenientInt CallTimeoutSeconds { get; init; }

    public string? CallerIdNumber { get; init; }

    public S3AudioSource? RingbackTone { get; init; }

    public IReadOnlyList<BridgeEndpoint>? Endpoints { get; init; }

    public IReadOnlyDictionary<string, string>? SipHeaders { get; init; }
}

public sealed record JoinChimeMeetingParameters : LegTargetParameters
{
    public string? JoinToken { get; init; }

    public string? MeetingId { get; init; }
}

public sealed record ModifyChimeMeetingAttendeesParameters : LegTargetParameters
{
    public string? Operation { get; init; }

    public string? MeetingId { get; init; }

    public IReadOnlyList<string>? AttendeeList { get; init; }
}

public record SpeechParameters
{
    public string? Text { get; init; }

    public string? Engine { get; init; }

    public string? LanguageCode { get; init; }

    public string? TextType { get; init; }

    public string? VoiceId { get; init; }
}

public sealed record SpeakParameters : LegTargetParameters
{
    public string? Text { get; init; }

    public string? Engine { get; init; }

    public string? LanguageCode { get; init; }

    public string? TextType { get; init; }

    public string? VoiceId { get; init; }
}

public sealed record SpeakAndGetDigitsParameters : GetDigitsParameters
{
    public SpeechParameters? SpeechParameters { get; init; }

    public SpeechParameters? FailureSpeechParameters { get; init; }
}

public sealed record StartBotConversationParameters : LegTargetParameters
{
    public string? BotAliasArn { get; init; }

    public string? LocaleId { get; init; }

    public JsonElement? Configuration { get; init; }
}

public sealed record VoiceFocusParameters : LegTargetParameters
{
    public LenientBool Enable { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(LenientStringConverter), typeof(LenientStringListConverter), typeof(LenientStringMapConverter)])]
[JsonSerializable(typeof(HangupParameters))]
[JsonSerializable(typeof(PauseParameters))]
[JsonSerializable(typeof(PlayAudioParameters))]
[JsonSerializable(typeof(PlayAudioAndGetDigitsParameters))]
[JsonSerializable(typeof(ReceiveDigitsParameters))]
[JsonSerializable(typeof(SendDigitsParameters))]
[JsonSerializable(typeof(RecordAudioParameters))]
[JsonSerializable(typeof(StartCallRecordingParameters))]
[JsonSerializable(typeof(CallRecordingControlParameters))]
[JsonSerializable(typeof(CallAndBridgeParameters))]
[JsonSerializable(typeof(JoinChimeMeetingParameters))]
[JsonSerializable(typeof(ModifyChimeMeetingAttendeesParameters))]
[JsonSerializable(typeof(SpeakParameters))]
[JsonSerializable(typeof(SpeakAndGetDigitsParameters))]
[JsonSerializable(typeof(StartBotConversationParameters))]
[JsonSerializable(typeof(VoiceFocusParameters))]
internal sealed partial class ActionParametersJsonContext : JsonSerializerContext;
