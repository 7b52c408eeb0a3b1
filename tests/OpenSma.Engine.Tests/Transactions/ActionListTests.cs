using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Transactions;

/// <summary>Spec §5: action-list semantics, each rule with a test that fails when it is broken.</summary>
public sealed class ActionListTests
{
    [Fact]
    public async Task NewInboundCall_FirstEvent_IsSequenceOneWithoutStatusAndWithRule()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => ActionList(A.Hangup());
        var (tx, _) = h.StartInbound(new VirtualParty(), new Dictionary<string, string> { ["X-Customer-Ref"] = "abc-42" });
        await h.RunToEndAsync(tx);

        var first = h.Handler.Events[0];
        Assert.Equal(EventTypes.NewInboundCall, first.Type());
        Assert.Equal(1, first.GetProperty("Sequence").GetInt32());
        Assert.False(first.TryGetProperty("ActionData", out _));
        Assert.Equal("rule-1", first.Str("CallDetails.SipRuleId"));
        Assert.Equal("sma-1", first.Str("CallDetails.SipMediaApplicationId"));
        var participant = first.Participants().Single();
        Assert.False(participant.TryGetProperty("Status", out _));
        Assert.Equal("LEG-A", participant.Str("ParticipantTag"));
        Assert.Equal("Inbound", participant.Str("Direction"));
        Assert.Equal(EngineHarness.Caller, participant.Str("From"));
        Assert.Equal("abc-42", participant.Str("SipHeaders.X-Customer-Ref"));
        Assert.Equal(System.Text.Json.JsonValueKind.String, participant.GetProperty("StartTimeInMilliseconds").ValueKind);
    }

    [Fact]
    public async Task ExecutionOrder_ListRunsInOrder_ThenOneSuccessForTheLastAction()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("one-second.wav", TimeSpan.FromSeconds(1));
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(A.Pause(500), A.Play("one-second.wav"), A.Pause(300)),
            _ => ActionList(A.Hangup()),
        };
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewInboundCall, EventTypes.ActionSuccessful, EventTypes.Hangup], h.Handler.EventTypes);
        var success = h.Handler.Events[1];
        Assert.Equal(2, success.GetProperty("Sequence").GetInt32());
        Assert.Equal("Pause", success.Str("ActionData.Type"));
        Assert.Equal("300", success.Str("ActionData.Parameters.DurationInMilliseconds"));
        Assert.Equal(["start Pause", "end Pause: succeeded", "start PlayAudio", "end PlayAudio: succeeded", "start Pause", "end Pause: succeeded"],
            h.Trace.Lines.Where(l => l.StartsWith("start", StringComparison.Ordinal) || l.StartsWith("end", StringComparison.Ordinal)).Take(6));
        // The caller heard 0.5 s silence, 1 s of prompt, 0.3 s silence: the prompt's real duration.
        var heard = leg.Heard();
        Assert.InRange(heard.Duration.TotalMilliseconds, 1780, 1900);
        Assert.Equal("Connected", success.Participants()[0].Str("Status"));
    }

    [Fact]
    public async Task SilentAction_MidList_SendsNoEvent_ReportingAction_MidList_Reports()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("menu.wav", TimeSpan.FromMilliseconds(500));
        const string getDigits = """{"Type":"PlayAudioAndGetDigits","Parameters":{"AudioSource":{"Type":"S3","BucketName":"prompts-bucket","Key":"menu.wav"},"FailureAudioSource":{"Type":"S3","BucketName":"prompts-bucket","Key":"menu.wav"},"MinNumberOfDigits":1,"MaxNumberOfDigits":1,"RepeatDurationInMilliseconds":3000}}""";
        h.Handler.Reply = e => (e.Type(), e.Str("ActionData.Type")) switch
        {
            (EventTypes.NewInboundCall, _) => ActionList(A.Pause(200), getDigits, A.Pause(400)),
            (EventTypes.ActionSuccessful, "PlayAudioAndGetDigits") => null,
            _ => ActionList(A.Hangup()),
        };
        var (tx, _) = h.StartInbound(new DigitCue(TimeSpan.FromSeconds(1), '7'));
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewInboundCall, EventTypes.ActionSuccessful, EventTypes.ActionSuccessful, EventTypes.Hangup], h.Handler.EventTypes);
        Assert.Equal("PlayAudioAndGetDigits", h.Handler.Events[1].Str("ActionData.Type"));
        Assert.Equal("7", h.Handler.Events[1].Str("ActionData.ReceivedDigits"));
        // After the mid-list report and an empty reply, the rest of the list (Pause 400) ran.
        Assert.Equal("Pause", h.Handler.Events[2].Str("ActionData.Type"));
        Assert.Equal("400", h.Handler.Events[2].Str("ActionData.Parameters.DurationInMilliseconds"));
    }

    [Theory]
    [InlineData("{\"SchemaVersion\":\"1.0\"}")]
    [InlineData("{\"SchemaVersion\":\"1.0\",\"Actions\":null}")]
    [InlineData("{\"SchemaVersion\":\"1.0\",\"Actions\":[]}")]
    public async Task Reply_AbsentNullOrEmptyList_KeepsPendingActions(string reply)
    {
        await using var h = new EngineHarness();
        h.AddPrompt("p.wav", TimeSpan.FromMilliseconds(300));
        var bridge = """{"Type":"CallAndBridge","Parameters":{"CallerIdNumber":"+15559870000","Endpoints":[{"BridgeEndpointType":"PSTN","Uri":"+14155550123"}]}}""";
        h.Handler.Reply = e => (e.Type(), e.Str("ActionData.Type")) switch
        {
            (EventTypes.NewInboundCall, _) => ActionList(A.Pause(200), bridge, A.Play("p.wav")),
            (EventTypes.ActionSuccessful, "CallAndBridge") => reply,
            (EventTypes.ActionSuccessful, "PlayAudio") => ActionList(A.Hangup("\"ParticipantTag\":\"LEG-B\""), A.Hangup("\"ParticipantTag\":\"LEG-A\"")),
            _ => null,
        };
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);

        // The AWS workshop example: [Pause, CallAndBridge, PlayAudio]; reply [] → PlayAudio still runs.
        Assert.Contains(h.Handler.Events, e => e.Type() == EventTypes.ActionSuccessful && e.Str("ActionData.Type") == "PlayAudio");
        Assert.Equal(EventTypes.Hangup, h.Handler.EventTypes[^1]);
        Assert.Equal("all legs ended", await tx.Completion);
    }

    [Fact]
    public async Task Reply_NonEmptyList_ReplacesPendingActions()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("p.wav", TimeSpan.FromMilliseconds(300));
        var bridge = """{"Type":"CallAndBridge","Parameters":{"CallerIdNumber":"+15559870000","Endpoints":[{"BridgeEndpointType":"PSTN","Uri":"+14155550123"}]}}""";
        h.Handler.Reply = e => (e.Type(), e.Str("ActionData.Type")) switch
        {
            (EventTypes.NewInboundCall, _) => ActionList(A.Pause(200), bridge, A.Play("p.wav")),
            (EventTypes.ActionSuccessful, "CallAndBridge") => ActionList(A.Pause(150)),
            (EventTypes.ActionSuccessful, "Pause") => ActionList(A.Hangup("\"ParticipantTag\":\"LEG-B\""), A.Hangup("\"ParticipantTag\":\"LEG-A\"")),
            _ => null,
        };
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);

        Assert.DoesNotContain(h.Trace.Lines, l => l == "start PlayAudio");
        Assert.Contains(h.Handler.Events, e => e.Str("ActionData.Type") == "Pause" && e.Str("ActionData.Parameters.DurationInMilliseconds") == "150");
    }

    [Fact]
    public async Task Failure_DiscardsTheRestOfTheList()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(A.Play("missing.wav"), A.Pause(300)),
            EventTypes.ActionFailed => ActionList(A.Hangup()),
            _ => null,
        };
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewInboundCall, EventTypes.ActionFailed, EventTypes.Hangup], h.Handler.EventTypes);
        var failed = h.Handler.Events[1];
        Assert.Equal("PlayAudio", failed.Str("ActionData.Type"));
        Assert.Equal("InvalidAudioSource", failed.Str("ActionData.ErrorType"));
        Assert.Equal("Cannot access S3 bucket or audio file.", failed.Str("ActionData.ErrorMessage"));
        Assert.DoesNotContain("start Pause", h.Trace.Lines);
    }

    [Fact]
    public async Task Hangup_LastActionOnSingleLeg_ReportsHangupOnly_AndItsReplyIsIgnored()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(A.Pause(200), A.Hangup()),
            _ => ActionList(A.Pause(1000)),
        };
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewInboundCall, EventTypes.Hangup], h.Handler.EventTypes);
        var hangup = h.Handler.Events[1];
        Assert.Equal(2, hangup.GetProperty("Sequence").GetInt32());
        Assert.Equal("Hangup", hangup.Str("ActionData.Type"));
        Assert.Equal(0, hangup.ActionData().GetProperty("Parameters").GetProperty("SipResponseCode").GetInt32());
        Assert.Equal(leg.CallId, hangup.Str("ActionData.Parameters.CallId"));
        Assert.Equal("LEG-A", hangup.Str("ActionData.Parameters.ParticipantTag"));
        Assert.Equal("Disconnected", hangup.Participants()[0].Str("Status"));
        Assert.DoesNotContain("start Pause", h.Trace.Lines.Skip(2));
        Assert.Equal(0, leg.ReleasedWith);
    }

    [Fact]
    public async Task Hangup_FirstReplyToNewInboundCall_RejectsTheCallUnanswered()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = _ => ActionList(A.Hangup().Replace("\"0\"", "\"486\"", StringComparison.Ordinal));
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);

        Assert.Null(leg.ConnectedAt);
        Assert.Equal(486, leg.ReleasedWith);
        Assert.Equal(486, h.Handler.Events[1].ActionData().GetProperty("Parameters").GetProperty("SipResponseCode").GetInt32());
    }

    [Fact]
    public async Task RemoteHangup_MidAction_StopsTheAction_SendsHangupWithoutSuccessOrFailure()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("long.wav", TimeSpan.FromSeconds(20));
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Play("long.wav"), A.Pause(500)) : null;
        var (tx, leg) = h.StartInbound(new HangupCue(TimeSpan.FromSeconds(3)));
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewInboundCall, EventTypes.Hangup], h.Handler.EventTypes);
        Assert.Contains("end PlayAudio: abandoned: leg ended", h.Trace.Lines);
        Assert.InRange(leg.Heard().Duration.TotalSeconds, 2.9, 3.1);
        Assert.Equal(0, h.Engine.ActiveTransactions);
    }

    [Theory]
    [InlineData("PlayAudio")]
    [InlineData("Pause")]
    [InlineData("RecordAudio")]
    public async Task CallUpdateRequested_InterruptsInterruptibleAction_WithActionInterrupted(string running)
    {
        await using var h = new EngineHarness();
        h.AddPrompt("long.wav", TimeSpan.FromSeconds(20));
        var action = running switch
        {
            "PlayAudio" => A.Play("long.wav"),
            "Pause" => A.Pause(20000),
            _ => """{"Type":"RecordAudio","Parameters":{"RecordingTerminators":["#"],"RecordingDestination":{"Type":"S3","BucketName":"recordings-bucket"}}}""",
        };
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(action, A.Pause(5000)),
            EventTypes.CallUpdateRequested => ActionList(A.Pause(200)),
            EventTypes.ActionSuccessful => ActionList(A.Hangup()),
            _ => null,
        };
        var (tx, _) = h.StartInbound();
        await h.RunForAsync(TimeSpan.FromSeconds(2));
        var update = await h.Engine.UpdateCallAsync("sma-1", tx.TransactionId, new Dictionary<string, string> { ["action"] = "stop" }, default);
        Assert.Equal(Control.CallControlStatus.Accepted, update.Status);
        await h.RunToEndAsync(tx);

        Assert.Equal(
            [EventTypes.NewInboundCall, EventTypes.CallUpdateRequested, EventTypes.ActionInterrupted, EventTypes.ActionSuccessful, EventTypes.Hangup],
            h.Handler.EventTypes);
        Assert.Equal("stop", h.Handler.Events[1].Str("ActionData.Parameters.Arguments.action"));
        Assert.Equal("CallUpdateRequest", h.Handler.Events[1].Str("ActionData.Type"));
        Assert.Equal(running, h.Handler.Events[2].Str("ActionData.Type"));
        // The new list ran, the old list's Pause 5000 never did.
        Assert.Equal("200", h.Handler.Events[3].Str("ActionData.Parameters.DurationInMilliseconds"));
    }

    [Fact]
    public async Task CallUpdateRequested_NonInterruptibleAction_FinishesFirst()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList("""{"Type":"SendDigits","Parameters":{"CallId":"CALL","Digits":"123456789","ToneDurationInMilliseconds":500}}""".Replace("CALL", e.Participants()[0].Str("CallId"), StringComparison.Ordinal), A.Pause(5000)),
            EventTypes.CallUpdateRequested => ActionList(A.Pause(200)),
            EventTypes.ActionSuccessful => ActionList(A.Hangup()),
            _ => null,
        };
        var (tx, leg) = h.StartInbound();
        await h.RunForAsync(TimeSpan.FromSeconds(1));
        await h.Engine.UpdateCallAsync("sma-1", tx.TransactionId, new Dictionary<string, string>(), default);
        await h.RunToEndAsync(tx);

        Assert.DoesNotContain(EventTypes.ActionInterrupted, h.Handler.EventTypes);
        Assert.Equal("123456789", leg.DigitsHeard());
        Assert.Equal("200", h.Handler.Events[2].Str("ActionData.Parameters.DurationInMilliseconds"));
        Assert.DoesNotContain(h.Trace.Lines, l => l.Contains("Pause: succeeded", StringComparison.Ordinal) && h.Trace.Lines.Count(x => x == "start Pause") > 1);
    }

    [Fact]
    public async Task ReceiveDigits_IsABackgroundListener_ProducingDigitsReceived()
    {
        await using var h = new EngineHarness();
        const string receive = """{"Type":"ReceiveDigits","Parameters":{"InputDigitsRegex":"^\\d{2}#$","InBetweenDigitsDurationInMilliseconds":1000,"FlushDigitsDurationInMilliseconds":10000}}""";
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(receive, A.Pause(30000)),
            EventTypes.DigitsReceived => ActionList(A.Hangup()),
            _ => null,
        };
        var (tx, _) = h.StartInbound(
            new DigitCue(TimeSpan.FromSeconds(2), '4'),
            new DigitCue(TimeSpan.FromSeconds(2.3), '2'),
            new DigitCue(TimeSpan.FromSeconds(2.6), '#'));
        await h.RunToEndAsync(tx);

        // ReceiveDigits completed at once (no event for it), Pause was running when the digits matched.
        Assert.Equal([EventTypes.NewInboundCall, EventTypes.DigitsReceived, EventTypes.Hangup], h.Handler.EventTypes);
        var digits = h.Handler.Events[1];
        Assert.Equal("ReceiveDigits", digits.Str("ActionData.Type"));
        Assert.Equal("42#", digits.Str("ActionData.ReceivedDigits"));
        Assert.Equal("^\\d{2}#$", digits.Str("ActionData.Parameters.InputDigitsRegex"));
        Assert.NotNull(digits.Str("ActionData.Parameters.CallId"));
    }
}
