using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Golden;
using OpenSma.Engine.Tests.Support;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;
using static OpenSma.Engine.Tests.Validation.ActionProbe;

namespace OpenSma.Engine.Tests.Validation;

/// <summary>Spec §7.9: StartCallRecording parameters and the once-per-leg rule; Stop/Pause/Resume need a recording.</summary>
public sealed class CallRecordingValidationTests
{
    private static string Start(string track = "\"BOTH\"", string destination = "{\"Type\":\"S3\",\"Location\":\"recordings-bucket\"}") =>
        A.Action("StartCallRecording", $"{{\"CallId\":\"{{LEG-A}}\",\"Track\":{track},\"Destination\":{destination}}}");

    private static string Control(string type) => A.Action(type, "{\"CallId\":\"{LEG-A}\"}");

    [Theory]
    [InlineData("\"LEFT\"")]
    [InlineData("\"both\"")]
    [InlineData("\"\"")]
    [InlineData("null")]
    public async Task StartCallRecording_TrackNotIncomingOutgoingOrBoth_FailsWithInvalidActionParameterAndErrorField(string track)
    {
        var e = await ReportAsync(Start(track: track));
        AssertFailedWith(e, ActionError.InvalidActionParameter);
        Assert.Equal($"{ActionError.InvalidActionParameter}: {e.Str("ActionData.ErrorMessage")}", e.Str("ActionData.Error"));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("{\"Type\":\"HTTP\",\"Location\":\"recordings-bucket\"}")]
    [InlineData("{\"Type\":\"S3\"}")]
    [InlineData("{\"Type\":\"S3\",\"Location\":\"\"}")]
    public async Task StartCallRecording_DestinationMissingOrNotS3_FailsWithInvalidActionParameter(string destination)
    {
        var e = await ReportAsync(Start(destination: destination));
        AssertFailedWith(e, ActionError.InvalidActionParameter);
        Assert.NotNull(e.Str("ActionData.Error"));
    }

    [Theory]
    [InlineData("INCOMING")]
    [InlineData("OUTGOING")]
    [InlineData("BOTH")]
    public async Task StartCallRecording_EachTrack_Succeeds_WithDestinationUnderTheDefaultPrefix(string track)
    {
        var e = await ReportAsync(Start(track: $"\"{track}\""));
        AssertSucceeded(e);
        Assert.StartsWith("recordings-bucket/Amazon-Chime-SMA-Call-Recordings/", e.Str("ActionData.CallRecordingDestination.Location"), StringComparison.Ordinal);
        Assert.Null(e.Str("ActionData.Error"));
    }

    [Theory]
    [InlineData(ActionTypes.StartCallRecording)]
    [InlineData(ActionTypes.StopCallRecording)]
    public async Task CallRecording_SecondStartOrSecondStop_Fails_BecauseRecordingRunsOncePerLeg(string second)
    {
        await using var h = new EngineHarness();
        var step = 0;
        var e = await GoldenScenarios.CallAsync(
            h,
            ev => (ev.Type(), ++step) switch
            {
                (EventTypes.NewInboundCall, _) => ActionList(GoldenScenarios.Fill(Start(), ev)),
                (EventTypes.ActionSuccessful, 2) => ActionList(A.Pause(200), GoldenScenarios.Fill(Control(ActionTypes.StopCallRecording), ev)),
                (EventTypes.ActionSuccessful, 3) => ActionList(GoldenScenarios.Fill(second == ActionTypes.StartCallRecording ? Start() : Control(second), ev)),
                _ => null,
            },
            ev => ev.Type() == EventTypes.ActionFailed);
        Assert.Equal(second, e.Str("ActionData.Type"));
        AssertFailedWith(e, ActionError.InvalidActionParameter);
        Assert.Equal(2, h.Handler.Events.Count(x => x.Type() == EventTypes.ActionSuccessful));
    }

    [Theory]
    [InlineData(ActionTypes.PauseCallRecording)]
    [InlineData(ActionTypes.ResumeCallRecording)]
    [InlineData(ActionTypes.StopCallRecording)]
    public async Task RecordingControl_UnknownCallId_FailsWithCallIdInvalid(string type)
    {
        var e = await ReportAsync(A.Action(type, "{\"CallId\":\"00000000-0000-4000-8000-000000000000\"}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "CallId parameter for action is invalid");
    }
}
