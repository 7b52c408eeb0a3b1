namespace OpenSma.Engine.Contracts;

/// <summary>The 18 action <c>Type</c> values of spec §7, and the two pseudo-types events carry.</summary>
public static class ActionTypes
{
    public const string CallAndBridge = nameof(CallAndBridge);
    public const string Hangup = nameof(Hangup);
    public const string JoinChimeMeeting = nameof(JoinChimeMeeting);
    public const string ModifyChimeMeetingAttendees = nameof(ModifyChimeMeetingAttendees);
    public const string Pause = nameof(Pause);
    public const string PlayAudio = nameof(PlayAudio);
    public const string PlayAudioAndGetDigits = nameof(PlayAudioAndGetDigits);
    public const string ReceiveDigits = nameof(ReceiveDigits);
    public const string RecordAudio = nameof(RecordAudio);
    public const string SendDigits = nameof(SendDigits);
    public const string Speak = nameof(Speak);
    public const string SpeakAndGetDigits = nameof(SpeakAndGetDigits);
    public const string StartBotConversation = nameof(StartBotConversation);
    public const string StartCallRecording = nameof(StartCallRecording);
    public const string StopCallRecording = nameof(StopCallRecording);
    public const string PauseCallRecording = nameof(PauseCallRecording);
    public const string ResumeCallRecording = nameof(ResumeCallRecording);
    public const string VoiceFocus = nameof(VoiceFocus);

    /// <summary>Pseudo-type of the HANGUP event's ActionData.</summary>
    public const string HangupEvent = "Hangup";

    /// <summary>Pseudo-type of the CALL_UPDATE_REQUESTED event's ActionData.</summary>
    public const string CallUpdateRequest = nameof(CallUpdateRequest);

    public static IReadOnlyList<string> All => Names;

    private static readonly string[] Names =
    [
        CallAndBridge, Hangup, JoinChimeMeeting, ModifyChimeMeetingAttendees, Pause, PlayAudio,
        PlayAudioAndGetDigits, ReceiveDigits, RecordAudio, SendDigits, Speak, SpeakAndGetDigits,
        StartBotConversation, StartCallRecording, StopCallRecording, PauseCallRecording,
        ResumeCallRecording, VoiceFocus,
    ];

    private static readonly Dictionary<string, string> Canonical = All.ToDictionary(t => t, t => t, StringComparer.Ordinal);

    /// <summary>Returns the interned type name, or null when the type is not one of the 18.</summary>
    public static string? Find(string type) => Canonical.GetValueOrDefault(type);

    /// <summary>The interned type name a JSON string names, compared without allocating it; null when unknown.</summary>
    public static string? Find(System.Text.Json.JsonElement type)
    {
        // The array, not the interface-typed All: no enumerator is boxed per action.
        foreach (var name in Names)
        {
            if (type.ValueEquals(name))
            {
                return name;
            }
        }

        return null;
    }
}

/// <summary>The 11 invocation event types of spec §3.</summary>
public static class EventTypes
{
    public const string NewInboundCall = "NEW_INBOUND_CALL";
    public const string NewOutboundCall = "NEW_OUTBOUND_CALL";
    public const string Ringing = "RINGING";
    public const string CallAnswered = "CALL_ANSWERED";
    public const string ActionSuccessful = "ACTION_SUCCESSFUL";
    public const string ActionFailed = "ACTION_FAILED";
    public const string ActionInterrupted = "ACTION_INTERRUPTED";
    public const string Hangup = "HANGUP";
    public const string DigitsReceived = "DIGITS_RECEIVED";
    public const string CallUpdateRequested = "CALL_UPDATE_REQUESTED";
    public const string InvalidLambdaResponse = "INVALID_LAMBDA_RESPONSE";

    public static IReadOnlyList<string> All => Names;

    private static readonly string[] Names =
    [
        NewInboundCall, NewOutboundCall, Ringing, CallAnswered, ActionSuccessful, ActionFailed,
        ActionInterrupted, Hangup, DigitsReceived, CallUpdateRequested, InvalidLambdaResponse,
    ];

    /// <summary>Events whose reply the service ignores (spec §3 table).</summary>
    public static bool ReplyIgnored(string eventType) =>
        eventType is NewOutboundCall or Ringing or ActionInterrupted;
}
