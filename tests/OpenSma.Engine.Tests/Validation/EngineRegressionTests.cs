using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Golden;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Validation.ActionProbe;

namespace OpenSma.Engine.Tests.Validation;

/// <summary>Regression tests for engine bugs found against the spec (CallAndBridge busy, failure echo, nested parameter shapes, recording destination).</summary>
public sealed class EngineRegressionTests
{
    private const string Pstn = "[{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"+14155550123\"}]";

    [Theory]
    [InlineData(VirtualAnswer.Busy)]
    [InlineData(VirtualAnswer.Reject)]
    public async Task CallAndBridge_CalleeBusyOrRejects_FailsWithCallNotAnswered(VirtualAnswer answer)
    {
        await using var h = new EngineHarness();
        h.Network.Register(GoldenScenarios.BridgeTarget, new VirtualParty { Answer = answer, RingFor = TimeSpan.FromSeconds(2) });
        var e = await ReportAsync(h, A.Action("CallAndBridge", $"{{\"CallerIdNumber\":\"{EngineHarness.Caller}\",\"CallTimeoutSeconds\":20,\"Endpoints\":{Pstn}}}"));
        AssertFailed(e, ActionError.CallNotAnswered, "Call not answered");
    }

    [Theory]
    [InlineData("{\"Type\":\"Pause\",\"Parameters\":{\"DurationInMilliseconds\":50}}")]
    [InlineData("{\"Type\":\"PlayAudio\",\"Parameters\":{\"AudioSource\":{\"Type\":\"HTTP\",\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\"}}}")]
    [InlineData("{\"Type\":\"ReceiveDigits\",\"Parameters\":{\"InputDigitsRegex\":\"[\",\"InBetweenDigitsDurationInMilliseconds\":1000,\"FlushDigitsDurationInMilliseconds\":10000}}")]
    [InlineData("{\"Type\":\"Hangup\",\"Parameters\":{\"SipResponseCode\":\"abc\"}}")]
    public async Task ActionFailed_ParameterErrorOnAValidLeg_EchoStillCarriesTheResolvedCallId(string action)
    {
        var e = await ReportAsync(action);
        Assert.Equal(EventTypes.ActionFailed, e.Type());
        Assert.Equal(LegACallId(e), e.Str("ActionData.Parameters.CallId"));
    }
}

public sealed class RecordingDestinationTests
{
    [Fact]
    public async Task StartCallRecording_DestinationBucketDoesNotExist_FailsAtStartWithNoAccessToDestination()
    {
        var e = await ReportAsync(A.Action("StartCallRecording", "{\"CallId\":\"{LEG-A}\",\"Track\":\"BOTH\",\"Destination\":{\"Type\":\"S3\",\"Location\":\"no-such-bucket/calls\"}}"));
        Assert.Equal(EventTypes.ActionFailed, e.Type());
        Assert.Equal("NoAccessToDestination: Error while accessing destination", e.Str("ActionData.Error"));
    }
}

public sealed class NestedParameterShapeTests
{
    [Fact]
    public async Task RecordAudio_DestinationNotAnObject_FailsWithDestinationInvalid()
    {
        var e = await ReportAsync(A.Action("RecordAudio", "{\"RecordingTerminators\":[\"#\"],\"RecordingDestination\":\"recordings-bucket\"}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "RecordingDestination parameter value is invalid.");
    }

    [Fact]
    public async Task CallAndBridge_RingbackToneNotAnObject_FailsWithRingtoneInvalid()
    {
        var e = await ReportAsync(A.Action("CallAndBridge", $"{{\"CallerIdNumber\":\"{EngineHarness.Caller}\",\"Endpoints\":[{{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"+14155550123\"}}],\"RingbackTone\":\"ring.wav\"}}"));
        AssertFailed(e, ActionError.InvalidAudioSource, "Ringtone parameter value is invalid.");
    }

    [Fact]
    public async Task StartCallRecording_DestinationNotAnObject_IsNotReportedAsABadCallId()
    {
        var e = await ReportAsync(A.Action("StartCallRecording", "{\"CallId\":\"{LEG-A}\",\"Track\":\"BOTH\",\"Destination\":\"recordings-bucket\"}"));
        Assert.Equal(EventTypes.ActionFailed, e.Type());
        Assert.NotEqual("CallId parameter for action is invalid", e.Str("ActionData.ErrorMessage"));
    }

    [Fact]
    public async Task SpeakAndGetDigits_SpeechParametersNotAnObject_FailsWithTextRequired()
    {
        var e = await ReportAsync(A.Action("SpeakAndGetDigits", "{\"CallId\":\"{LEG-A}\",\"SpeechParameters\":\"Hello\",\"FailureSpeechParameters\":{\"Text\":\"again\"},\"RepeatDurationInMilliseconds\":3000}"));
        AssertFailed(e, ActionError.MissingRequiredActionParameter, "Text is a required parameter.");
    }
}
