namespace OpenSma.Engine.Actions;

/// <summary>One executor per action type of spec §7.</summary>
internal static class ActionCatalog
{
    public static IReadOnlyList<IActionExecutor> CreateAll() =>
    [
        new HangupExecutor(),
        new PauseExecutor(),
        new PlayAudioExecutor(),
        new PlayAudioAndGetDigitsExecutor(),
        new ReceiveDigitsExecutor(),
        new SendDigitsExecutor(),
        new RecordAudioExecutor(),
        new StartCallRecordingExecutor(),
        new CallRecordingControlExecutor(Contracts.ActionTypes.StopCallRecording),
        new CallRecordingControlExecutor(Contracts.ActionTypes.PauseCallRecording),
        new CallRecordingControlExecutor(Contracts.ActionTypes.ResumeCallRecording),
        new CallAndBridgeExecutor(),
        new SpeakExecutor(),
        new SpeakAndGetDigitsExecutor(),
        new VoiceFocusExecutor(),
        new StartBotConversationExecutor(),
        new JoinChimeMeetingExecutor(),
        new ModifyChimeMeetingAttendeesExecutor(),
    ];
}
