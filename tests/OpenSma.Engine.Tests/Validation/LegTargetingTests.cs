using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Golden;
using OpenSma.Engine.Tests.Support;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;
using static OpenSma.Engine.Tests.Validation.ActionProbe;

namespace OpenSma.Engine.Tests.Validation;

/// <summary>Spec §6: CallId and ParticipantTag, the invoked leg, and the actions that require a CallId.</summary>
public sealed class LegTargetingTests
{
    private const string Source = "{\"Type\":\"S3\",\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\"}";

    /// <summary>One valid instance of each action that takes an optional leg selector; "SELECTOR" is replaced.</summary>
    public static TheoryData<string> OptionalLegActions =>
    [
        "{\"Type\":\"Pause\",\"Parameters\":{SELECTOR\"DurationInMilliseconds\":300}}",
        "{\"Type\":\"PlayAudio\",\"Parameters\":{SELECTOR\"AudioSource\":" + Source + "}}",
        "{\"Type\":\"PlayAudioAndGetDigits\",\"Parameters\":{SELECTOR\"AudioSource\":" + Source + ",\"FailureAudioSource\":" + Source + ",\"RepeatDurationInMilliseconds\":1000}}",
        "{\"Type\":\"ReceiveDigits\",\"Parameters\":{SELECTOR\"InputDigitsRegex\":\"^1$\",\"InBetweenDigitsDurationInMilliseconds\":1000,\"FlushDigitsDurationInMilliseconds\":2000}}",
        "{\"Type\":\"RecordAudio\",\"Parameters\":{SELECTOR\"DurationInSeconds\":1,\"RecordingTerminators\":[\"#\"],\"RecordingDestination\":{\"Type\":\"S3\",\"BucketName\":\"recordings-bucket\"}}}",
        "{\"Type\":\"Hangup\",\"Parameters\":{SELECTOR\"SipResponseCode\":\"0\"}}",
    ];

    [Theory]
    [MemberData(nameof(OptionalLegActions))]
    public async Task OptionalLegAction_UnknownCallId_FailsWithInvalidLeg(string action)
    {
        var e = await ReportAsync(action.Replace("SELECTOR", "\"CallId\":\"00000000-0000-4000-8000-000000000000\",", StringComparison.Ordinal));
        AssertFailed(e, ActionError.InvalidActionParameter, InvalidLeg);
    }

    [Theory]
    [MemberData(nameof(OptionalLegActions))]
    public async Task OptionalLegAction_ParticipantTagOfAbsentLeg_FailsWithInvalidLeg(string action)
    {
        var e = await ReportAsync(action.Replace("SELECTOR", "\"ParticipantTag\":\"LEG-B\",", StringComparison.Ordinal));
        AssertFailed(e, ActionError.InvalidActionParameter, InvalidLeg);
    }

    [Theory]
    [InlineData("LEG-C")]
    [InlineData("A")]
    public async Task Pause_ParticipantTagNotLegAOrLegB_FailsWithInvalidLeg(string tag)
    {
        var e = await ReportAsync(A.Pause(300, $",\"ParticipantTag\":\"{tag}\""));
        AssertFailed(e, ActionError.InvalidActionParameter, InvalidLeg);
    }

    [Fact]
    public async Task Pause_NoSelector_RunsOnTheInvokedLeg_AndEchoesItsCallId()
    {
        await using var h = new EngineHarness();
        var e = await ReportAsync(h, A.Pause(300));
        AssertSucceeded(e);
        Assert.Equal(LegACallId(e), e.Str("ActionData.Parameters.CallId"));
        Assert.Equal("LEG-A", e.Str("ActionData.Parameters.ParticipantTag"));
    }

    [Fact]
    public async Task PlayAudio_CallIdAndParticipantTag_CallIdWins()
    {
        await using var h = new EngineHarness();
        var e = await BridgedReportAsync(h, A.Play("menu.wav", ",\"CallId\":\"{LEG-B}\",\"ParticipantTag\":\"LEG-A\""));
        AssertSucceeded(e);
        var legBCallId = e.Participants().Single(p => p.Str("ParticipantTag") == "LEG-B").Str("CallId");
        Assert.Equal(legBCallId, e.Str("ActionData.Parameters.CallId"));
        Assert.Equal("LEG-A", e.Str("ActionData.Parameters.ParticipantTag"));

        // LEG-B's phone heard the 600 ms prompt besides what the bridge carried; without the prompt
        // it would have heard only LEG-A's silence.
        var legB = h.Network.Legs.Single(l => l.To == GoldenScenarios.BridgeTarget);
        Assert.True(Energy(legB.Heard()) > 0, "LEG-B heard nothing: the prompt ran on the wrong leg");
    }

    [Fact]
    public async Task Pause_UnknownCallIdWithValidParticipantTag_FailsBecauseCallIdWins()
    {
        var e = await ReportAsync(A.Pause(300, ",\"CallId\":\"00000000-0000-4000-8000-000000000000\",\"ParticipantTag\":\"LEG-A\""));
        AssertFailed(e, ActionError.InvalidActionParameter, InvalidLeg);
    }

    [Fact]
    public async Task SendDigits_UnknownCallId_FailsWithInvalidLeg()
    {
        var e = await ReportAsync(A.Action("SendDigits", "{\"CallId\":\"00000000-0000-4000-8000-000000000000\",\"Digits\":\"1\"}"));
        AssertFailed(e, ActionError.InvalidActionParameter, InvalidLeg);
    }

    [Fact]
    public async Task Hangup_CallIdOfLegBWithParticipantTagLegA_ReleasesLegB()
    {
        await using var h = new EngineHarness();
        var e = await GoldenScenarios.CallAsync(
            h,
            ev => (ev.Type(), ev.Str("ActionData.Type"), ev.Str("ActionData.Parameters.ParticipantTag")) switch
            {
                (EventTypes.NewInboundCall, _, _) => ActionList(Bridge()),
                (EventTypes.ActionSuccessful, ActionTypes.CallAndBridge, _) =>
                    ActionList(GoldenScenarios.Fill(A.Hangup(",\"CallId\":\"{LEG-B}\",\"ParticipantTag\":\"LEG-A\""), ev)),
                (EventTypes.Hangup, _, "LEG-B") => ActionList(A.Hangup(",\"ParticipantTag\":\"LEG-A\"")),
                _ => null,
            },
            ev => ev.Type() == EventTypes.Hangup);
        Assert.Equal("LEG-B", e.Str("ActionData.Parameters.ParticipantTag"));
        Assert.Equal("Connected", e.Participants().Single(p => p.Str("ParticipantTag") == "LEG-A").Str("Status"));
    }

    [Fact]
    public async Task ReceiveDigits_ParticipantTagLegB_ListensToLegBOnly()
    {
        await using var h = new EngineHarness();
        h.Network.Register(GoldenScenarios.BridgeTarget, Virtual.VirtualParty.Answering(
            new Virtual.DigitCue(TimeSpan.FromSeconds(2), '7'), new Virtual.DigitCue(TimeSpan.FromSeconds(2.2), '#')));
        const string receive = "{\"Type\":\"ReceiveDigits\",\"Parameters\":{\"ParticipantTag\":\"LEG-B\",\"InputDigitsRegex\":\"^\\\\d#$\",\"InBetweenDigitsDurationInMilliseconds\":500,\"FlushDigitsDurationInMilliseconds\":5000}}";
        var e = await GoldenScenarios.CallAsync(
            h,
            ev => (ev.Type(), ev.Str("ActionData.Type")) switch
            {
                (EventTypes.NewInboundCall, _) => ActionList(Bridge()),
                (EventTypes.ActionSuccessful, ActionTypes.CallAndBridge) => ActionList(receive, A.Pause(10000)),
                (EventTypes.DigitsReceived, _) => GoldenScenarios.HangupAll(ev),
                _ => null,
            },
            ev => ev.Type() == EventTypes.DigitsReceived,
            Virtual.VirtualParty.Answering(new Virtual.DigitCue(TimeSpan.FromSeconds(1), '1'), new Virtual.DigitCue(TimeSpan.FromSeconds(1.2), '#')));
        Assert.Equal("7#", e.Str("ActionData.ReceivedDigits"));
        var legBCallId = e.Participants().Single(p => p.Str("ParticipantTag") == "LEG-B").Str("CallId");
        Assert.Equal(legBCallId, e.Str("ActionData.Parameters.CallId"));
    }

    [Fact]
    public async Task PlayAudio_ParticipantTagLegB_RunsOnLegB()
    {
        await using var h = new EngineHarness();
        var e = await BridgedReportAsync(h, A.Play("menu.wav", ",\"ParticipantTag\":\"LEG-B\""));
        AssertSucceeded(e);
        var legBCallId = e.Participants().Single(p => p.Str("ParticipantTag") == "LEG-B").Str("CallId");
        Assert.Equal(legBCallId, e.Str("ActionData.Parameters.CallId"));
    }

    [Fact]
    public async Task PlayAudio_LegThatHasHungUp_FailsWithInvalidLeg()
    {
        await using var h = new EngineHarness();
        var e = await GoldenScenarios.CallAsync(
            h,
            ev => (ev.Type(), ev.Str("ActionData.Type"), ev.Str("ActionData.Parameters.ParticipantTag")) switch
            {
                (EventTypes.NewInboundCall, _, _) => ActionList(Bridge()),
                (EventTypes.ActionSuccessful, ActionTypes.CallAndBridge, _) => ActionList(A.Hangup(",\"ParticipantTag\":\"LEG-B\"")),
                (EventTypes.Hangup, _, "LEG-B") => ActionList(A.Play("menu.wav", $",\"CallId\":\"{ev.Str("ActionData.Parameters.CallId")}\"")),
                _ => null,
            },
            ev => ev.Type() == EventTypes.ActionFailed);
        Assert.Equal("PlayAudio", e.Str("ActionData.Type"));
        AssertFailed(e, ActionError.InvalidActionParameter, InvalidLeg);
    }

    [Fact]
    public async Task Pause_ParticipantTagLegBAfterLegBLeft_FailsWithInvalidLeg()
    {
        await using var h = new EngineHarness();
        var e = await GoldenScenarios.CallAsync(
            h,
            ev => (ev.Type(), ev.Str("ActionData.Type"), ev.Str("ActionData.Parameters.ParticipantTag")) switch
            {
                (EventTypes.NewInboundCall, _, _) => ActionList(Bridge()),
                (EventTypes.ActionSuccessful, ActionTypes.CallAndBridge, _) => ActionList(A.Hangup(",\"ParticipantTag\":\"LEG-B\"")),
                (EventTypes.Hangup, _, "LEG-B") => ActionList(A.Pause(300, ",\"ParticipantTag\":\"LEG-B\"")),
                _ => null,
            },
            ev => ev.Type() == EventTypes.ActionFailed);
        Assert.Equal("Pause", e.Str("ActionData.Type"));
        AssertFailed(e, ActionError.InvalidActionParameter, InvalidLeg);
    }

    [Theory]
    [InlineData("SendDigits", "{\"ParticipantTag\":\"LEG-A\",\"Digits\":\"1\"}", InvalidLeg)]
    [InlineData("SendDigits", "{\"Digits\":\"1\"}", InvalidLeg)]
    [InlineData("Speak", "{\"ParticipantTag\":\"LEG-A\",\"Text\":\"Hello\"}", InvalidLeg)]
    [InlineData("SpeakAndGetDigits", "{\"ParticipantTag\":\"LEG-A\",\"SpeechParameters\":{\"Text\":\"a\"},\"FailureSpeechParameters\":{\"Text\":\"b\"},\"RepeatDurationInMilliseconds\":1000}", InvalidLeg)]
    [InlineData("VoiceFocus", "{\"ParticipantTag\":\"LEG-A\",\"Enable\":true}", InvalidLeg)]
    [InlineData("StartCallRecording", "{\"ParticipantTag\":\"LEG-A\",\"Track\":\"BOTH\",\"Destination\":{\"Type\":\"S3\",\"Location\":\"recordings-bucket\"}}", "CallId parameter for action is invalid")]
    [InlineData("StartCallRecording", "{\"Track\":\"BOTH\",\"Destination\":{\"Type\":\"S3\",\"Location\":\"recordings-bucket\"}}", "CallId parameter for action is invalid")]
    [InlineData("StopCallRecording", "{\"ParticipantTag\":\"LEG-A\"}", "CallId parameter for action is invalid")]
    [InlineData("PauseCallRecording", "{\"ParticipantTag\":\"LEG-A\"}", "CallId parameter for action is invalid")]
    [InlineData("ResumeCallRecording", "{\"ParticipantTag\":\"LEG-A\"}", "CallId parameter for action is invalid")]
    public async Task CallIdRequiredAction_WithoutCallId_FailsWithInvalidActionParameter(string type, string parameters, string message)
    {
        var e = await ReportAsync(A.Action(type, parameters));
        AssertFailed(e, ActionError.InvalidActionParameter, message);
    }

    [Theory]
    [InlineData("SendDigits", "{\"CallId\":\"\",\"ParticipantTag\":\"LEG-A\",\"Digits\":\"1\"}")]
    [InlineData("Speak", "{\"CallId\":\"\",\"Text\":\"Hello\"}")]
    [InlineData("VoiceFocus", "{\"CallId\":\"\",\"Enable\":true}")]
    public async Task CallIdRequiredAction_EmptyCallId_CountsAsMissing(string type, string parameters)
    {
        var e = await ReportAsync(A.Action(type, parameters));
        AssertFailed(e, ActionError.InvalidActionParameter, InvalidLeg);
    }

    [Fact]
    public async Task StartCallRecording_UnknownCallId_FailsWithCombinedErrorField()
    {
        var e = await ReportAsync(A.Action("StartCallRecording", "{\"CallId\":\"nope\",\"Track\":\"INCOMING\",\"Destination\":{\"Type\":\"S3\",\"Location\":\"recordings-bucket\"}}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "CallId parameter for action is invalid");
        Assert.Equal("InvalidActionParameter: CallId parameter for action is invalid", e.Str("ActionData.Error"));
    }

    [Fact]
    public async Task SendDigits_CallIdOfLegB_SendsOnLegBOnly()
    {
        await using var h = new EngineHarness();
        var e = await BridgedReportAsync(h, A.Action("SendDigits", "{\"CallId\":\"{LEG-B}\",\"Digits\":\"42\",\"ToneDurationInMilliseconds\":100}"));
        AssertSucceeded(e);
        var legB = h.Network.Legs.Single(l => l.To == GoldenScenarios.BridgeTarget);
        Assert.Equal("42", legB.DigitsHeard());
    }

    private static double Energy(Media.Audio.PcmAudio audio)
    {
        double sum = 0;
        foreach (var s in audio.Samples.Span)
        {
            sum += Math.Abs((int)s);
        }

        return sum;
    }
}
