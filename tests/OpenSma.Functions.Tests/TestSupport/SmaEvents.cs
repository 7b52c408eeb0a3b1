using System.Text;
using System.Text.Json.Nodes;

namespace OpenSma.Functions.Tests.TestSupport;

/// <summary>SMA invocation events in the shapes of the PSTN Audio data-plane spec (sections 2 and 3).</summary>
internal static class SmaEvents
{
    public const string TransactionId = "9f1c2e4a-0000-4000-8000-000000000001";
    public const string LegACallId = "c0ffee00-0000-4000-8000-000000000004";
    public const string SmaId = "2b6e9d3f-0000-4000-8000-000000000003";

    public static JsonObject NewInboundCall(int sequence = 1) => Envelope("NEW_INBOUND_CALL", sequence, status: null);

    public static JsonObject ActionSuccessful(int sequence, JsonObject actionData, JsonObject? attributes = null)
    {
        var e = Envelope("ACTION_SUCCESSFUL", sequence, status: "Connected", attributes);
        e["ActionData"] = actionData;
        return e;
    }

    public static JsonObject Hangup(int sequence, JsonObject? attributes = null)
    {
        var e = Envelope("HANGUP", sequence, status: "Disconnected", attributes);
        e["ActionData"] = new JsonObject
        {
            ["Type"] = "Hangup",
            ["Parameters"] = new JsonObject { ["SipResponseCode"] = "0", ["CallId"] = LegACallId, ["ParticipantTag"] = "LEG-A" },
        };
        return e;
    }

    public static ReadOnlyMemory<byte> Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    private static JsonObject Envelope(string type, int sequence, string? status, JsonObject? attributes = null)
    {
        var participant = new JsonObject
        {
            ["CallId"] = LegACallId,
            ["ParticipantTag"] = "LEG-A",
            ["To"] = "+12025550100",
            ["From"] = "+13135550199",
            ["Direction"] = "Inbound",
            ["StartTimeInMilliseconds"] = "1700000000000",
        };
        if (status is not null)
            participant["Status"] = status;
        var details = new JsonObject
        {
            ["TransactionId"] = TransactionId,
            ["AwsAccountId"] = "111122223333",
            ["AwsRegion"] = "us-east-1",
            ["SipRuleId"] = "5d0a7c1e-0000-4000-8000-000000000002",
            ["SipMediaApplicationId"] = SmaId,
            ["Participants"] = new JsonArray(participant),
        };
        if (attributes is not null)
            details["TransactionAttributes"] = attributes;
        return new JsonObject
        {
            ["SchemaVersion"] = "1.0",
            ["Sequence"] = sequence,
            ["InvocationEventType"] = type,
            ["CallDetails"] = details,
        };
    }
}
