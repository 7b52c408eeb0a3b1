using System.Text.Json;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Control;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Golden;

/// <summary>
/// One real call per golden file: each scenario drives the engine on virtual time with a scripted
/// handler and returns the event whose JSON the file pins down.
/// </summary>
internal static class GoldenScenarios
{
    public const string BridgeTarget = "+14155550123";
    public const string OutboundTarget = "+14155550199";

    private const string Source = "{\"Type\":\"S3\",\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\"}";

    public static IReadOnlyDictionary<string, Func<EngineHarness, Task<JsonElement>>> All { get; } =
        new Dictionary<string, Func<EngineHarness, Task<JsonElement>>>(StringComparer.Ordinal)
        {
            // The 11 event types (spec §3).
            ["event-NEW_INBOUND_CALL"] = NewInboundCallAsync,
            ["event-NEW_OUTBOUND_CALL"] = h => OutboundAsync(h, EventTypes.NewOutboundCall),
            ["event-RINGING"] = h => OutboundAsync(h, EventTypes.Ringing),
            ["event-CALL_ANSWERED"] = h => OutboundAsync(h, EventTypes.CallAnswered),
            ["event-ACTION_SUCCESSFUL"] = ActionSuccessfulWithAttributesAsync,
            ["event-ACTION_FAILED"] = h => SingleAsync(h, A.Play("missing.wav"), EventTypes.ActionFailed),
            ["event-ACTION_INTERRUPTED"] = h => UpdateAsync(h, EventTypes.ActionInterrupted),
            ["event-HANGUP"] = RemoteHangupAsync,
            ["event-DIGITS_RECEIVED"] = DigitsReceivedAsync,
            ["event-CALL_UPDATE_REQUESTED"] = h => UpdateAsync(h, EventTypes.CallUpdateRequested),
            ["event-INVALID_LAMBDA_RESPONSE"] = h => InvalidResponseAsync(h, TooManyAttributes()),
            ["event-INVALID_LAMBDA_RESPONSE-TooManyActions"] = h => InvalidResponseAsync(
                h, ActionList([.. Enumerable.Repeat(A.Pause(100), 11)])),
            ["event-INVALID_LAMBDA_RESPONSE-UnsupportedAction"] = h => InvalidResponseAsync(
                h, ActionList("{\"Type\":\"Answer\",\"Parameters\":{}}")),

            // Success and failure shape of each action the engine runs (spec §7).
            ["Pause-success"] = h => SingleAsync(h, A.Pause(300), EventTypes.ActionSuccessful),
            ["Pause-failure"] = h => SingleAsync(h, A.Pause(50), EventTypes.ActionFailed),
            ["PlayAudio-success"] = h => SingleAsync(h, A.Play("menu.wav", ",\"PlaybackTerminators\":[\"#\"]"), EventTypes.ActionSuccessful),
            ["PlayAudio-failure"] = h => SingleAsync(
                h, A.Action("PlayAudio", "{\"AudioSource\":{\"Type\":\"HTTP\",\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\"}}"), EventTypes.ActionFailed),
            ["PlayAudioAndGetDigits-success"] = h => SingleAsync(
                h, GetDigits("\"InputDigitsRegex\":\"^\\\\d{2}$\",\"MaxNumberOfDigits\":2,\"RepeatDurationInMilliseconds\":3000"), EventTypes.ActionSuccessful,
                new DigitCue(TimeSpan.FromSeconds(1), '4'), new DigitCue(TimeSpan.FromSeconds(1.3), '2')),
            ["PlayAudioAndGetDigits-failure"] = h => SingleAsync(
                h, GetDigits("\"MinNumberOfDigits\":1,\"Repeat\":2,\"RepeatDurationInMilliseconds\":1000"), EventTypes.ActionFailed),
            ["ReceiveDigits-success"] = h => SingleAsync(
                h, A.Action("ReceiveDigits", "{\"InputDigitsRegex\":\"^\\\\d{2}#$\",\"InBetweenDigitsDurationInMilliseconds\":1000,\"FlushDigitsDurationInMilliseconds\":10000}"), EventTypes.ActionSuccessful),
            ["ReceiveDigits-failure"] = h => SingleAsync(
                h, A.Action("ReceiveDigits", "{\"InputDigitsRegex\":\"[\",\"InBetweenDigitsDurationInMilliseconds\":1000,\"FlushDigitsDurationInMilliseconds\":10000}"), EventTypes.ActionFailed),
            ["SendDigits-success"] = h => SingleAsync(
                h, A.Action("SendDigits", "{\"CallId\":\"{LEG-A}\",\"Digits\":\",1234#\"}"), EventTypes.ActionSuccessful),
            ["SendDigits-failure"] = h => SingleAsync(
                h, A.Action("SendDigits", "{\"CallId\":\"{LEG-A}\",\"Digits\":\"1234\",\"ToneDurationInMilliseconds\":20}"), EventTypes.ActionFailed),
            ["RecordAudio-success"] = RecordAudioSuccessAsync,
            ["RecordAudio-failure"] = h => SingleAsync(
                h, A.Action("RecordAudio", "{\"RecordingTerminators\":[\"#\"],\"RecordingDestination\":{\"Type\":\"S3\",\"BucketName\":\"\"}}"), EventTypes.ActionFailed),
            ["StartCallRecording-success"] = h => SingleAsync(h, StartRecording("recordings-bucket/support"), EventTypes.ActionSuccessful),
            ["StartCallRecording-failure"] = h => SingleAsync(h, StartRecording("Not A Bucket"), EventTypes.ActionFailed),
            ["StopCallRecording-success"] = h => RecordingControlAsync(h, ActionTypes.StopCallRecording, started: true),
            ["StopCallRecording-failure"] = h => RecordingControlAsync(h, ActionTypes.StopCallRecording, started: false),
            ["PauseCallRecording-success"] = h => RecordingControlAsync(h, ActionTypes.PauseCallRecording, started: true),
            ["PauseCallRecording-failure"] = h => RecordingControlAsync(h, ActionTypes.PauseCallRecording, started: false),
            ["ResumeCallRecording-success"] = h => RecordingControlAsync(h, ActionTypes.ResumeCallRecording, started: true),
            ["ResumeCallRecording-failure"] = h => RecordingControlAsync(h, ActionTypes.ResumeCallRecording, started: false),
            ["CallAndBridge-success"] = h => BridgeAsync(h, VirtualAnswer.Answer, EventTypes.ActionSuccessful),
            ["CallAndBridge-failure"] = h => BridgeAsync(h, VirtualAnswer.NoAnswer, EventTypes.ActionFailed),
            ["Hangup-success"] = h => SingleAsync(h, A.Hangup(), EventTypes.Hangup),
            ["Hangup-success-bridged-LEG-B"] = BridgedHangupAsync,
            ["Hangup-success-bridged-LEG-A"] = BridgedHangupLegAAsync,
            ["event-HANGUP-remote-LEG-B"] = RemoteLegBHangupAsync,
            ["VoiceFocus-success"] = h => SingleAsync(
                h, A.Action("VoiceFocus", "{\"CallId\":\"{LEG-A}\",\"Enable\":true}"), EventTypes.ActionSuccessful),
            ["VoiceFocus-failure"] = h => SingleAsync(
                h, A.Action("VoiceFocus", "{\"CallId\":\"{LEG-A}\",\"Enable\":\"maybe\"}"), EventTypes.ActionFailed),
            ["Hangup-failure"] = h => SingleAsync(h, A.Action("Hangup", "{\"SipResponseCode\":\"abc\"}"), EventTypes.ActionFailed),

            // Actions whose backends are not configured: validation passes, then a documented failure.
            ["Speak-failure"] = h => SingleAsync(
                h, A.Action("Speak", "{\"CallId\":\"{LEG-A}\",\"Text\":\"Welcome.\",\"Engine\":\"neural\",\"VoiceId\":\"Joanna\"}"), EventTypes.ActionFailed),
            ["SpeakAndGetDigits-failure"] = h => SingleAsync(
                h, A.Action("SpeakAndGetDigits", "{\"CallId\":\"{LEG-A}\",\"SpeechParameters\":{\"Text\":\"Enter your code.\"},\"FailureSpeechParameters\":{\"Text\":\"Try again.\"},\"MinNumberOfDigits\":1,\"RepeatDurationInMilliseconds\":5000}"), EventTypes.ActionFailed),
            ["StartBotConversation-failure"] = h => SingleAsync(
                h, A.Action("StartBotConversation", "{\"BotAliasArn\":\"arn:aws:lex:us-east-1:111122223333:bot-alias/BOTID12345/ALIAS12345\",\"LocaleId\":\"en_US\"}"), EventTypes.ActionFailed),
            ["JoinChimeMeeting-failure"] = h => SingleAsync(
                h, A.Action("JoinChimeMeeting", "{\"JoinToken\":\"token-123\",\"MeetingId\":\"4f5e6d7c-0000-4000-8000-000000000006\"}"), EventTypes.ActionFailed),
            ["ModifyChimeMeetingAttendees-failure"] = h => SingleAsync(
                h, A.Action("ModifyChimeMeetingAttendees", "{\"Operation\":\"Mute\",\"MeetingId\":\"4f5e6d7c-0000-4000-8000-000000000006\",\"AttendeeList\":[\"a1b2c3\"]}"), EventTypes.ActionFailed),
        };

    /// <summary>Replaces {LEG-A}/{LEG-B} in an action text with the CallIds the event lists.</summary>
    public static string Fill(string action, JsonElement e)
    {
        foreach (var p in e.Participants())
        {
            action = action.Replace("{" + p.Str("ParticipantTag") + "}", p.Str("CallId"), StringComparison.Ordinal);
        }

        return action;
    }

    /// <summary>Hangs up every leg still up, LEG-B first (an unanswered LEG-A is included).</summary>
    public static string HangupAll(JsonElement e) => ActionList(
        [.. e.Participants()
            .Where(p => p.Str("ParticipantTag") == "LEG-A" || p.Str("Status") != "Disconnected")
            .Reverse()
            .Select(p => A.Hangup($",\"CallId\":\"{p.Str("CallId")}\""))]);

    /// <summary>
    /// Runs an inbound call; <paramref name="script"/> answers the events it cares about (null =
    /// default: hang up after any success or failure, otherwise reply with no actions).
    /// </summary>
    public static async Task<JsonElement> CallAsync(
        EngineHarness h,
        Func<JsonElement, string?> script,
        Func<JsonElement, bool> pick,
        VirtualParty? caller = null,
        IReadOnlyDictionary<string, string>? headers = null,
        Func<OpenSma.Engine.Transactions.CallTransaction, Task>? during = null)
    {
        h.AddPrompt("menu.wav", TimeSpan.FromMilliseconds(600));
        h.AddPrompt("long.wav", TimeSpan.FromSeconds(20));
        h.Handler.Reply = e => script(e) ?? (e.Type() is EventTypes.ActionSuccessful or EventTypes.ActionFailed ? HangupAll(e) : null);
        var (tx, _) = h.StartInbound(caller ?? new VirtualParty(), headers);
        if (during is not null)
        {
            await during(tx);
        }

        await h.RunToEndAsync(tx);
        return Pick(h, pick);
    }

    private static JsonElement Pick(EngineHarness h, Func<JsonElement, bool> pick)
    {
        var found = h.Handler.Events.Where(pick).ToList();
        Assert.True(found.Count > 0, "the scenario did not produce the event; events: " + string.Join(", ", h.Handler.EventTypes)
            + "; trace: " + string.Join(" | ", h.Trace.Lines));
        return found[0];
    }

    /// <summary>One action as the reply to NEW_INBOUND_CALL; returns the first event of the given type.</summary>
    public static Task<JsonElement> SingleAsync(EngineHarness h, string action, string eventType, params VirtualCue[] cues) =>
        CallAsync(
            h,
            e => e.Type() == EventTypes.NewInboundCall ? ActionList(Fill(action, e)) : null,
            e => e.Type() == eventType,
            VirtualParty.Answering(cues));

    private static string GetDigits(string extra) => A.Action(
        "PlayAudioAndGetDigits",
        $"{{\"AudioSource\":{Source},\"FailureAudioSource\":{Source},{extra}}}");

    private static string StartRecording(string location) => A.Action(
        "StartCallRecording",
        $"{{\"CallId\":\"{{LEG-A}}\",\"Track\":\"BOTH\",\"Destination\":{{\"Type\":\"S3\",\"Location\":\"{location}\"}}}}");

    private static string TooManyAttributes() => WithAttributes(
        "{" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"k{i}\":\"v\"")) + "}",
        A.Pause(200));

    private static Task<JsonElement> NewInboundCallAsync(EngineHarness h) => CallAsync(
        h,
        e => ActionList(A.Hangup()),
        e => e.Type() == EventTypes.NewInboundCall,
        headers: new Dictionary<string, string>
        {
            ["X-Customer-Ref"] = "abc-42",
            ["User-to-User"] = "6b65793d76616c7565;encoding=hex",
        });

    private static async Task<JsonElement> OutboundAsync(EngineHarness h, string eventType)
    {
        h.Handler.Reply = e => e.Type() == EventTypes.CallAnswered ? ActionList(A.Pause(200), A.Hangup()) : null;
        var created = await h.Engine.CreateCallAsync(
            new OutboundCallRequest(h.Application, EngineHarness.Called, OutboundTarget, null, null), default);
        Assert.Equal(CallControlStatus.Accepted, created.Status);
        Assert.True(h.Engine.TryGetTransaction(created.TransactionId!, out var tx));
        await h.RunToEndAsync(tx);
        return Pick(h, e => e.Type() == eventType);
    }

    private static Task<JsonElement> ActionSuccessfulWithAttributesAsync(EngineHarness h) => CallAsync(
        h,
        e => e.Type() == EventTypes.NewInboundCall
            ? WithAttributes("{\"state\":\"greeting\",\"attempt\":\"1\"}", A.Pause(200), A.Play("menu.wav"))
            : null,
        e => e.Type() == EventTypes.ActionSuccessful);

    private static Task<JsonElement> UpdateAsync(EngineHarness h, string eventType) => CallAsync(
        h,
        e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(A.Play("long.wav"), A.Pause(5000)),
            EventTypes.CallUpdateRequested => ActionList(A.Pause(200)),
            _ => null,
        },
        e => e.Type() == eventType,
        during: async tx =>
        {
            await h.RunForAsync(TimeSpan.FromSeconds(2));
            var update = await h.Engine.UpdateCallAsync(
                "sma-1", tx.TransactionId, new Dictionary<string, string> { ["action"] = "PlayHoldMusic", ["queuePosition"] = "3" }, default);
            Assert.Equal(CallControlStatus.Accepted, update.Status);
        });

    private static Task<JsonElement> RemoteHangupAsync(EngineHarness h) => CallAsync(
        h,
        e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Pause(10000)) : null,
        e => e.Type() == EventTypes.Hangup,
        VirtualParty.Answering(new HangupCue(TimeSpan.FromSeconds(3))));

    private static Task<JsonElement> DigitsReceivedAsync(EngineHarness h) => CallAsync(
        h,
        e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(
                A.Action("ReceiveDigits", "{\"InputDigitsRegex\":\"^\\\\d{2}#$\",\"InBetweenDigitsDurationInMilliseconds\":1000,\"FlushDigitsDurationInMilliseconds\":10000}"),
                A.Pause(20000)),
            EventTypes.DigitsReceived => HangupAll(e),
            _ => null,
        },
        e => e.Type() == EventTypes.DigitsReceived,
        VirtualParty.Answering(
            new DigitCue(TimeSpan.FromSeconds(2), '4'),
            new DigitCue(TimeSpan.FromSeconds(2.3), '2'),
            new DigitCue(TimeSpan.FromSeconds(2.6), '#')));

    private static Task<JsonElement> InvalidResponseAsync(EngineHarness h, string badReply) => CallAsync(
        h,
        e => e.Type() switch
        {
            EventTypes.NewInboundCall => badReply,
            EventTypes.InvalidLambdaResponse => HangupAll(e),
            _ => null,
        },
        e => e.Type() == EventTypes.InvalidLambdaResponse);

    private static Task<JsonElement> RecordAudioSuccessAsync(EngineHarness h) => SingleAsync(
        h,
        A.Action("RecordAudio", "{\"DurationInSeconds\":\"30\",\"RecordingTerminators\":[\"#\"],\"RecordingDestination\":{\"Type\":\"S3\",\"BucketName\":\"recordings-bucket\",\"Prefix\":\"vm/\"}}"),
        EventTypes.ActionSuccessful,
        new SayCue(TimeSpan.FromSeconds(0.5), ToneGenerator.Beep(TimeSpan.FromSeconds(1), 700)),
        new DigitCue(TimeSpan.FromSeconds(2), '#'));

    private static Task<JsonElement> RecordingControlAsync(EngineHarness h, string type, bool started)
    {
        var control = A.Action(type, "{\"CallId\":\"{LEG-A}\"}");
        var then = started && type == ActionTypes.ResumeCallRecording
            ? new[] { A.Pause(200), A.Action(ActionTypes.PauseCallRecording, "{\"CallId\":\"{LEG-A}\"}"), A.Pause(200), control }
            : [A.Pause(200), control];
        return CallAsync(
            h,
            e => (e.Type(), e.Str("ActionData.Type")) switch
            {
                (EventTypes.NewInboundCall, _) when started => ActionList(Fill(StartRecording("recordings-bucket"), e)),
                (EventTypes.NewInboundCall, _) => ActionList([.. then.Select(a => Fill(a, e))]),
                (EventTypes.ActionSuccessful, ActionTypes.StartCallRecording) => ActionList([.. then.Select(a => Fill(a, e))]),
                _ => null,
            },
            e => e.Str("ActionData.Type") == type);
    }

    private static string Bridge() => A.Action(
        "CallAndBridge",
        $"{{\"CallTimeoutSeconds\":\"10\",\"CallerIdNumber\":\"{EngineHarness.Caller}\",\"Endpoints\":[{{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"{BridgeTarget}\"}}],\"SipHeaders\":{{\"X-Ticket\":\"7781\"}}}}");

    private static Task<JsonElement> BridgeAsync(EngineHarness h, VirtualAnswer answer, string eventType)
    {
        h.Network.Register(BridgeTarget, new VirtualParty { Answer = answer, RingFor = TimeSpan.FromSeconds(2) });
        return SingleAsync(h, Bridge(), eventType);
    }

    private static Task<JsonElement> BridgedHangupAsync(EngineHarness h) => CallAsync(
        h,
        e => (e.Type(), e.Str("ActionData.Type"), e.Str("ActionData.Parameters.ParticipantTag")) switch
        {
            (EventTypes.NewInboundCall, _, _) => ActionList(Bridge()),
            (EventTypes.ActionSuccessful, ActionTypes.CallAndBridge, _) => ActionList(A.Hangup(",\"ParticipantTag\":\"LEG-B\"")),
            (EventTypes.Hangup, _, "LEG-B") => ActionList(A.Hangup(",\"ParticipantTag\":\"LEG-A\"")),
            _ => null,
        },
        e => e.Type() == EventTypes.Hangup && e.Str("ActionData.Parameters.ParticipantTag") == "LEG-B");

    private static Task<JsonElement> BridgedHangupLegAAsync(EngineHarness h) => CallAsync(
        h,
        e => (e.Type(), e.Str("ActionData.Type"), e.Str("ActionData.Parameters.ParticipantTag")) switch
        {
            (EventTypes.NewInboundCall, _, _) => ActionList(Bridge()),
            (EventTypes.ActionSuccessful, ActionTypes.CallAndBridge, _) => ActionList(A.Hangup(",\"ParticipantTag\":\"LEG-A\"")),
            (EventTypes.Hangup, _, "LEG-A") => ActionList(A.Hangup(",\"ParticipantTag\":\"LEG-B\"")),
            _ => null,
        },
        e => e.Type() == EventTypes.Hangup && e.Str("ActionData.Parameters.ParticipantTag") == "LEG-A");

    private static Task<JsonElement> RemoteLegBHangupAsync(EngineHarness h)
    {
        h.Network.Register(BridgeTarget, VirtualParty.Answering(new HangupCue(TimeSpan.FromSeconds(3))));
        return CallAsync(
            h,
            e => (e.Type(), e.Str("ActionData.Type"), e.Str("ActionData.Parameters.ParticipantTag")) switch
            {
                (EventTypes.NewInboundCall, _, _) => ActionList(Bridge()),
                (EventTypes.ActionSuccessful, ActionTypes.CallAndBridge, _) => ActionList(),
                (EventTypes.Hangup, _, "LEG-B") => ActionList(A.Hangup(",\"ParticipantTag\":\"LEG-A\"")),
                _ => null,
            },
            e => e.Type() == EventTypes.Hangup && e.Str("ActionData.Parameters.ParticipantTag") == "LEG-B");
    }
}
