using System.Text.Json;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Support;

namespace OpenSma.Engine.Tests.Golden;

/// <summary>
/// The spec §2/§3 rules checked on every event of every golden call, independent of the files, so
/// a careless regeneration of the golden files cannot hide a broken rule.
/// </summary>
public sealed class EventContractTests
{
    private static readonly HashSet<string> NoActionData =
    [
        EventTypes.NewInboundCall, EventTypes.NewOutboundCall, EventTypes.Ringing, EventTypes.CallAnswered, EventTypes.InvalidLambdaResponse,
    ];

    private static readonly HashSet<string> NoStatus = [EventTypes.NewInboundCall, EventTypes.NewOutboundCall, EventTypes.Ringing];

    public static TheoryData<string> Names => [.. GoldenScenarios.All.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task EveryEvent_OfTheCall_FollowsTheEnvelopeRules(string name)
    {
        await using var h = new EngineHarness();
        await GoldenScenarios.All[name](h);
        var events = h.Handler.Events;
        Assert.NotEmpty(events);
        for (var i = 0; i < events.Count; i++)
        {
            Check(events[i], i + 1);
        }
    }

    private static void Check(JsonElement e, int expectedSequence)
    {
        var type = e.Type();
        var where = $"{type} (Sequence {expectedSequence}): {e.GetRawText()}";
        Assert.Contains(type, EventTypes.All);
        Assert.True(e.GetProperty("SchemaVersion").GetString() == "1.0", where);
        Assert.True(e.GetProperty("Sequence").ValueKind == JsonValueKind.Number && e.GetProperty("Sequence").GetInt32() == expectedSequence, where);

        // §2.1: ActionData absent on the call-state events; error fields at the top level only on INVALID_LAMBDA_RESPONSE.
        Assert.True(NoActionData.Contains(type) != e.TryGetProperty("ActionData", out var data), where);
        var topLevelError = e.TryGetProperty("ErrorType", out _);
        Assert.True(topLevelError == (type == EventTypes.InvalidLambdaResponse), where);
        Assert.True(e.TryGetProperty("ErrorMessage", out _) == topLevelError, where);

        // §2.2 / §2.3.
        var details = e.GetProperty("CallDetails");
        foreach (var field in new[] { "TransactionId", "AwsAccountId", "AwsRegion", "SipMediaApplicationId" })
        {
            Assert.True(details.GetProperty(field).ValueKind == JsonValueKind.String, where);
        }

        Assert.False(details.TryGetProperty("SipApplicationId", out _), where);
        if (details.TryGetProperty("TransactionAttributes", out var attributes))
        {
            Assert.True(attributes.EnumerateObject().Any(), "TransactionAttributes present but empty: " + where);
        }

        var participants = e.Participants();
        Assert.NotEmpty(participants);
        // LEG-A first while it is listed (spec §2.3); a leg may leave the list after its own HANGUP.
        var tags = participants.Select(p => p.Str("ParticipantTag")).ToList();
        Assert.True(tags.SequenceEqual(tags.Order(StringComparer.Ordinal)) && tags.Distinct().Count() == tags.Count, where);
        foreach (var p in participants)
        {
            Assert.True(p.GetProperty("StartTimeInMilliseconds").ValueKind == JsonValueKind.String, where);
            Assert.True(long.TryParse(p.GetProperty("StartTimeInMilliseconds").GetString(), out _), where);
            Assert.Contains(p.Str("ParticipantTag"), new[] { "LEG-A", "LEG-B" });
            Assert.Contains(p.Str("Direction"), new[] { "Inbound", "Outbound" });
            if (NoStatus.Contains(type))
            {
                Assert.False(p.TryGetProperty("Status", out _), "Status must be omitted: " + where);
            }
            else
            {
                Assert.Contains(p.Str("Status"), new[] { "Connected", "Disconnected" });
            }
        }

        if (NoActionData.Contains(type))
        {
            return;
        }

        // §2.4: Type, Parameters object; failure fields only on ACTION_FAILED.
        Assert.True(data.GetProperty("Type").ValueKind == JsonValueKind.String, where);
        Assert.True(data.GetProperty("Parameters").ValueKind == JsonValueKind.Object, where);
        var failed = type == EventTypes.ActionFailed;
        Assert.True(data.TryGetProperty("ErrorType", out _) == failed, where);
        Assert.True(data.TryGetProperty("ErrorMessage", out _) == failed, where);
        if (data.TryGetProperty("Error", out var combined))
        {
            Assert.True(failed, where);
            Assert.Contains(data.Str("Type"), new[] { ActionTypes.StartCallRecording, ActionTypes.JoinChimeMeeting });
            Assert.Equal($"{data.Str("ErrorType")}: {data.Str("ErrorMessage")}", combined.GetString());
        }

        switch (type)
        {
            case EventTypes.Hangup:
                // §3.6: pseudo-action Hangup, numeric SipResponseCode, the leg that went away is Disconnected.
                Assert.Equal(ActionTypes.HangupEvent, data.Str("Type"));
                Assert.True(data.GetProperty("Parameters").GetProperty("SipResponseCode").ValueKind == JsonValueKind.Number, where);
                var gone = participants.Single(p => p.Str("CallId") == data.Str("Parameters.CallId"));
                Assert.Equal(data.Str("Parameters.ParticipantTag"), gone.Str("ParticipantTag"));
                Assert.Equal("Disconnected", gone.Str("Status"));
                break;
            case EventTypes.CallUpdateRequested:
                Assert.Equal(ActionTypes.CallUpdateRequest, data.Str("Type"));
                Assert.True(data.GetProperty("Parameters").GetProperty("Arguments").ValueKind == JsonValueKind.Object, where);
                break;
            case EventTypes.DigitsReceived:
                Assert.Equal(ActionTypes.ReceiveDigits, data.Str("Type"));
                Assert.True(data.GetProperty("ReceivedDigits").ValueKind == JsonValueKind.String, where);
                break;
            default:
                Assert.Contains(data.Str("Type"), ActionTypes.All);
                break;
        }
    }
}
