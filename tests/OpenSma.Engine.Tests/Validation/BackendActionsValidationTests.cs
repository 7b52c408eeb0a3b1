using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Support;
using static OpenSma.Engine.Tests.Validation.ActionProbe;

namespace OpenSma.Engine.Tests.Validation;

/// <summary>
/// Speak, SpeakAndGetDigits, VoiceFocus, StartBotConversation and the meeting actions (spec §7.11-7.16):
/// their documented validation errors, and, for those without a backend, that with valid parameters
/// they fail (never succeed). VoiceFocus runs for real (Actions/VoiceFocusTests).
/// </summary>
public sealed class BackendActionsValidationTests
{
    private static string Speak(string parameters) => A.Action("Speak", "{\"CallId\":\"{LEG-A}\"," + parameters + "}");

    private static string SpeakAndGetDigits(string parameters) =>
        A.Action("SpeakAndGetDigits", "{\"CallId\":\"{LEG-A}\",\"RepeatDurationInMilliseconds\":3000," + parameters + "}");

    [Theory]
    [InlineData("\"VoiceId\":\"Joanna\"")]
    [InlineData("\"Text\":\"\"")]
    [InlineData("\"Text\":null")]
    public async Task Speak_TextMissing_FailsWithTextRequired(string parameters)
    {
        var e = await ReportAsync(Speak(parameters));
        AssertFailed(e, ActionError.MissingRequiredActionParameter, "Text is a required parameter.");
    }

    [Fact]
    public async Task Speak_TextOver1000Characters_FailsWithTextLimited()
    {
        var e = await ReportAsync(Speak($"\"Text\":\"{new string('a', 1001)}\""));
        AssertFailed(e, ActionError.MissingRequiredActionParameter, "Text is limited to 1,000 characters");
    }

    [Fact]
    public async Task Speak_Text1000Characters_PassesValidation_ThenFailsForTheMissingBackend()
    {
        var e = await ReportAsync(Speak($"\"Text\":\"{new string('a', 1000)}\""));
        AssertFailedWith(e, ActionError.SystemException);
        Assert.Contains("backend", e.Str("ActionData.ErrorMessage"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"SpeechParameters\":{\"VoiceId\":\"Joanna\"},\"FailureSpeechParameters\":{\"Text\":\"again\"}", "Text is a required parameter.")]
    [InlineData("\"FailureSpeechParameters\":{\"Text\":\"again\"}", "Text is a required parameter.")]
    [InlineData("\"SpeechParameters\":{\"Text\":\"code?\"}", "Text is a required parameter.")]
    [InlineData("\"SpeechParameters\":{\"Text\":\"code?\"},\"FailureSpeechParameters\":{\"Text\":\"\"}", "Text is a required parameter.")]
    public async Task SpeakAndGetDigits_SpeechOrFailureTextMissing_FailsWithTextRequired(string parameters, string message)
    {
        var e = await ReportAsync(SpeakAndGetDigits(parameters));
        AssertFailed(e, ActionError.MissingRequiredActionParameter, message);
    }

    [Fact]
    public async Task SpeakAndGetDigits_SpeechTextOver1000Characters_FailsWithTextLimited()
    {
        var e = await ReportAsync(SpeakAndGetDigits($"\"SpeechParameters\":{{\"Text\":\"{new string('a', 1001)}\"}},\"FailureSpeechParameters\":{{\"Text\":\"again\"}}"));
        AssertFailed(e, ActionError.MissingRequiredActionParameter, "Text is limited to 1,000 characters");
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"Enable\":null")]
    [InlineData(",\"Enable\":\"\"")]
    [InlineData(",\"Enable\":\"maybe\"")]
    [InlineData(",\"Enable\":1")]
    [InlineData(",\"Enable\":{}")]
    public async Task VoiceFocus_EnableMissingOrNotBoolean_FailsWithMissingRequiredParameter(string enable)
    {
        var e = await ReportAsync(A.Action("VoiceFocus", "{\"CallId\":\"{LEG-A}\"" + enable + "}"));
        AssertFailed(e, ActionError.MissingRequiredActionParameter, "Missing required action parameter.");
    }

    [Theory]
    [InlineData("{\"JoinToken\":\"\"}")]
    [InlineData("{\"MeetingId\":\"m-1\"}")]
    public async Task JoinChimeMeeting_JoinTokenMissing_FailsWithJoinTokenInvalid(string parameters)
    {
        var e = await ReportAsync(A.Action("JoinChimeMeeting", parameters));
        AssertFailed(e, ActionError.InvalidActionParameter, "JoinToken parameter value is invalid.");
        Assert.Equal("InvalidActionParameter: JoinToken parameter value is invalid.", e.Str("ActionData.Error"));
    }

    [Theory]
    [InlineData("JoinChimeMeeting", "{\"JoinToken\":\"t\",\"ParticipantTag\":\"LEG-B\"}")]
    [InlineData("StartBotConversation", "{\"BotAliasArn\":\"arn:aws:lex:us-east-1:111122223333:bot-alias/BOTID12345/ALIAS12345\",\"ParticipantTag\":\"LEG-B\"}")]
    public async Task LegAOnlyActions_ParticipantTagLegB_FailsWithInvalidLeg(string type, string parameters)
    {
        var e = await ReportAsync(A.Action(type, parameters));
        AssertFailed(e, ActionError.InvalidActionParameter, InvalidLeg);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"BotAliasArn\":\"arn:aws:lex:us-east-1:111122223333:bot/BOTID12345\"}")]
    public async Task StartBotConversation_BotAliasArnMissingOrMalformed_FailsWithInvalidActionParameter(string parameters)
    {
        var e = await ReportAsync(A.Action("StartBotConversation", parameters));
        AssertFailedWith(e, ActionError.InvalidActionParameter);
    }

    [Theory]
    [InlineData("{\"Operation\":\"Kick\",\"MeetingId\":\"m-1\",\"AttendeeList\":[\"a\"]}")]
    [InlineData("{\"MeetingId\":\"m-1\",\"AttendeeList\":[\"a\"]}")]
    [InlineData("{\"Operation\":\"Mute\",\"AttendeeList\":[\"a\"]}")]
    [InlineData("{\"Operation\":\"Mute\",\"MeetingId\":\"m-1\",\"AttendeeList\":[]}")]
    [InlineData("{\"Operation\":\"Mute\",\"MeetingId\":\"m-1\"}")]
    public async Task ModifyChimeMeetingAttendees_BadOperationMeetingOrList_FailsWithInvalidActionParameter(string parameters)
    {
        var e = await ReportAsync(A.Action("ModifyChimeMeetingAttendees", parameters));
        AssertFailedWith(e, ActionError.InvalidActionParameter);
    }

    [Fact]
    public async Task ModifyChimeMeetingAttendees_Over100Attendees_FailsWithInvalidActionParameter()
    {
        var list = string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"a{i}\""));
        var e = await ReportAsync(A.Action("ModifyChimeMeetingAttendees", $"{{\"Operation\":\"Unmute\",\"MeetingId\":\"m-1\",\"AttendeeList\":[{list}]}}"));
        AssertFailedWith(e, ActionError.InvalidActionParameter);
        Assert.NotEqual("Call is not connected to Chime Meeting.", e.Str("ActionData.ErrorMessage"));
    }

    [Fact]
    public async Task SpeakAndGetDigits_MaxNumberOfDigitsAbove128_FailsWithMaxInvalid()
    {
        var e = await ReportAsync(SpeakAndGetDigits("\"SpeechParameters\":{\"Text\":\"code?\"},\"FailureSpeechParameters\":{\"Text\":\"again\"},\"MaxNumberOfDigits\":129"));
        AssertFailed(e, ActionError.InvalidActionParameter, "The MaxNumberOfDigits parameter is invalid.");
    }

    [Theory]
    [InlineData("JoinChimeMeeting", "{\"JoinToken\":\"t\"}")]
    [InlineData("StartBotConversation", "{\"BotAliasArn\":\"arn:aws:lex:us-east-1:111122223333:bot-alias/BOTID12345/ALIAS12345\"}")]
    public async Task LegAOnlyActions_OnABridgedCall_FailWithInvalidActionParameter(string type, string parameters)
    {
        await using var h = new EngineHarness();
        var e = await BridgedReportAsync(h, A.Action(type, parameters));
        AssertFailedWith(e, ActionError.InvalidActionParameter);
    }

    [Theory]
    [InlineData("Speak", "{\"CallId\":\"{LEG-A}\",\"Text\":\"Hello\"}", ActionError.SystemException)]
    [InlineData("SpeakAndGetDigits", "{\"CallId\":\"{LEG-A}\",\"SpeechParameters\":{\"Text\":\"code?\"},\"FailureSpeechParameters\":{\"Text\":\"again\"},\"RepeatDurationInMilliseconds\":3000}", ActionError.SystemException)]
    [InlineData("StartBotConversation", "{\"BotAliasArn\":\"arn:aws:lex:us-east-1:111122223333:bot-alias/BOTID12345/ALIAS12345\"}", ActionError.SystemException)]
    [InlineData("JoinChimeMeeting", "{\"JoinToken\":\"t\"}", ActionError.SystemException)]
    [InlineData("ModifyChimeMeetingAttendees", "{\"Operation\":\"Mute\",\"MeetingId\":\"m-1\",\"AttendeeList\":[\"a\"]}", ActionError.InvalidActionParameter)]
    public async Task BackendAction_ValidParameters_FailsAndNeverReportsSuccess(string type, string parameters, string errorType)
    {
        await using var h = new EngineHarness();
        var e = await ReportAsync(h, A.Action(type, parameters));
        AssertFailedWith(e, errorType);
        Assert.DoesNotContain(h.Handler.Events, x => x.Type() == EventTypes.ActionSuccessful && x.Str("ActionData.Type") == type);
    }
}
