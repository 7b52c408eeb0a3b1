using System.Text.Json;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Golden;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Validation;

/// <summary>
/// Runs one action in a real call on virtual time and returns the event that reported it
/// (ACTION_SUCCESSFUL or ACTION_FAILED). "{LEG-A}"/"{LEG-B}" in the action text become the CallIds.
/// </summary>
internal static class ActionProbe
{
    public const string InvalidLeg = "CallId or ParticipantTag parameter for action is invalid.";

    /// <summary>The action is the whole reply to NEW_INBOUND_CALL.</summary>
    public static Task<JsonElement> ReportAsync(EngineHarness h, string action, VirtualParty? caller = null) =>
        GoldenScenarios.CallAsync(
            h,
            e => e.Type() == EventTypes.NewInboundCall ? ActionList(GoldenScenarios.Fill(action, e)) : null,
            e => e.Type() is EventTypes.ActionSuccessful or EventTypes.ActionFailed,
            caller);

    public static async Task<JsonElement> ReportAsync(string action, EngineOptions? options = null)
    {
        await using var h = new EngineHarness(options);
        return await ReportAsync(h, action);
    }

    /// <summary>The action runs after a CallAndBridge to <see cref="GoldenScenarios.BridgeTarget"/> has connected LEG-B.</summary>
    public static Task<JsonElement> BridgedReportAsync(EngineHarness h, string action, Func<JsonElement, string?>? more = null)
    {
        var type = JsonDocument.Parse(action).RootElement.GetProperty("Type").GetString();
        return GoldenScenarios.CallAsync(
            h,
            e => more?.Invoke(e) ?? (e.Type(), e.Str("ActionData.Type")) switch
            {
                (EventTypes.NewInboundCall, _) => ActionList(Bridge()),
                (EventTypes.ActionSuccessful, ActionTypes.CallAndBridge) => ActionList(GoldenScenarios.Fill(action, e)),
                _ => null,
            },
            e => e.Type() is EventTypes.ActionSuccessful or EventTypes.ActionFailed && e.Str("ActionData.Type") == type);
    }

    public static string Bridge(string extra = "") => A.Action(
        "CallAndBridge",
        $"{{\"CallerIdNumber\":\"{EngineHarness.Caller}\",\"Endpoints\":[{{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"{GoldenScenarios.BridgeTarget}\"}}]{extra}}}");

    public static void AssertFailed(JsonElement e, string errorType, string errorMessage)
    {
        Assert.True(e.Type() == EventTypes.ActionFailed, $"expected ACTION_FAILED, got {e.Type()}: {e.GetRawText()}");
        Assert.Equal(errorType, e.Str("ActionData.ErrorType"));
        Assert.Equal(errorMessage, e.Str("ActionData.ErrorMessage"));
    }

    public static void AssertFailedWith(JsonElement e, string errorType)
    {
        Assert.True(e.Type() == EventTypes.ActionFailed, $"expected ACTION_FAILED, got {e.Type()}: {e.GetRawText()}");
        Assert.Equal(errorType, e.Str("ActionData.ErrorType"));
    }

    public static void AssertSucceeded(JsonElement e)
    {
        Assert.True(
            e.Type() == EventTypes.ActionSuccessful,
            $"expected ACTION_SUCCESSFUL, got {e.Type()}: {e.Str("ActionData.ErrorType")}: {e.Str("ActionData.ErrorMessage")}");
        Assert.Null(e.Str("ActionData.ErrorType"));
    }

    public static string LegACallId(JsonElement e) => e.Participants().Single(p => p.Str("ParticipantTag") == "LEG-A").Str("CallId")!;
}
