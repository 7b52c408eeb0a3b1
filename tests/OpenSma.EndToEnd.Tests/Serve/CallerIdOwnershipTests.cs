using System.Text.Json;
using OpenSma.EndToEnd.Tests.Support;
using OpenSma.EndToEnd.Tests.Telephony.Support;

namespace OpenSma.EndToEnd.Tests.Serve;

/// <summary>
/// CallAndBridge's caller ID in <c>opensma serve</c> must be a number of the account's inventory
/// (or LEG-A's own From/To, spec §7.10): refused before the number is ordered, accepted once the
/// order has completed, refused again once the number is deleted. All through the AWS CLI.
/// </summary>
public sealed class CallerIdOwnershipTests : IAsyncLifetime
{
    private const string CallerId = "+12065550123";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private InProcessServe _serve = null!;

    public async Task InitializeAsync() => _serve = await InProcessServe.StartAsync("caller-id");

    public async Task DisposeAsync() => await _serve.DisposeAsync();

    [Fact]
    public async Task CallAndBridge_CallerIdOwnership_FollowsOrderAndDeletion()
    {
        using var handler = new HandlerServer(e => (HandlerServer.Type(e), HandlerServer.ActionType(e)) switch
        {
            ("CALL_ANSWERED", _) => HandlerServer.Actions(
                $$$"""{"Type":"CallAndBridge","Parameters":{"CallTimeoutSeconds":30,"CallerIdNumber":"{{{CallerId}}}","Endpoints":[{"BridgeEndpointType":"PSTN","Uri":"+15557770001"}]}}"""),
            ("ACTION_SUCCESSFUL", "CallAndBridge") => HandlerServer.Actions(TelephonyFixture.Hangup("LEG-B")),
            ("HANGUP", _) when ParticipantTag(e) == "LEG-B" => HandlerServer.Actions(TelephonyFixture.Hangup("LEG-A")),
            ("ACTION_FAILED", _) => HandlerServer.Actions(TelephonyFixture.Hangup()),
            _ => null,
        });
        var smaId = await _serve.CreateSmaAsync("caller-id", handler.Url);

        var beforeOrder = await BridgeOutcomeAsync(handler, smaId);
        var order = await _serve.ChimeAsync("create-phone-number-order", "--product-type", "SipMediaApplicationDialIn", "--e164-phone-numbers", CallerId);
        Assert.Equal("Successful", order.GetProperty("PhoneNumberOrder").GetProperty("Status").GetString());
        var afterOrder = await BridgeOutcomeAsync(handler, smaId);
        await _serve.ChimeAsync("delete-phone-number", "--phone-number-id", CallerId);
        var afterDelete = await BridgeOutcomeAsync(handler, smaId);

        Assert.Equal("ACTION_FAILED", HandlerServer.Type(beforeOrder));
        Assert.Contains("caller ID", beforeOrder.GetProperty("ActionData").GetProperty("ErrorMessage").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ACTION_SUCCESSFUL", HandlerServer.Type(afterOrder));
        Assert.Equal("ACTION_FAILED", HandlerServer.Type(afterDelete));
    }

    /// <summary>Places a call whose answer triggers the CallAndBridge; returns that action's result event once the call has ended.</summary>
    private async Task<JsonElement> BridgeOutcomeAsync(HandlerServer handler, string smaId)
    {
        var call = await _serve.ChimeAsync("create-sip-media-application-call", "--sip-media-application-id", smaId,
            "--from-phone-number", "+15559870000", "--to-phone-number", "+15551230000");
        var transactionId = call.GetProperty("SipMediaApplicationCall").GetProperty("TransactionId").GetString()!;
        IEnumerable<JsonElement> Mine(IEnumerable<JsonElement> events) =>
            events.Where(e => e.GetProperty("CallDetails").GetProperty("TransactionId").GetString() == transactionId);
        await handler.WaitForAsync(
            events => Mine(events).Any(e => HandlerServer.Type(e) == "HANGUP" && ParticipantTag(e) == "LEG-A"), Patience, "HANGUP of LEG-A in " + transactionId);
        return Mine(handler.Events).Single(e => HandlerServer.ActionType(e) == "CallAndBridge" && HandlerServer.Type(e) is "ACTION_SUCCESSFUL" or "ACTION_FAILED");
    }

    private static string? ParticipantTag(JsonElement e) =>
        e.TryGetProperty("ActionData", out var data) && data.TryGetProperty("Parameters", out var parameters) && parameters.TryGetProperty("ParticipantTag", out var tag)
            ? tag.GetString()
            : null;
}
