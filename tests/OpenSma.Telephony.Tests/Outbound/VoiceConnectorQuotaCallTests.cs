using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Control;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Outbound;
using OpenSma.Telephony.Tests.Legs;
using OpenSma.Telephony.Tests.Support;

namespace OpenSma.Telephony.Tests.Outbound;

/// <summary>
/// The voice-connector quotas (TelephonyOptions.VoiceConnectorCallsPerSecond and
/// MaxVoiceConnectorConcurrentCalls, spec §9.4) on loopback calls: outbound legs through a
/// connector's routes and inbound INVITEs a connector admits share them; over them an outbound
/// attempt ends 503 like a trunk failure and an inbound INVITE gets 503.
/// </summary>
public sealed class VoiceConnectorQuotaCallTests
{
    private const string VcArn = "arn:aws:chime:us-east-1:111122223333:vc/vc1";

    private static VoiceConnectorQuotas Quotas(Rig rig) => rig.Telephony.LegFactory.Quotas;

    /// <summary>vc1: origination routes to <paramref name="callee"/> (if any), and loopback allowed to call in.</summary>
    private static async Task AddConnectorAsync(Rig rig, TestPhone? callee)
    {
        var trunk = SipDialRouterTests.Trunk("vc1", callee is null ? [] : [new OriginationRoute("127.0.0.1", callee.Address.Port, "UDP", 1, 1)]);
        trunk = trunk with { Termination = trunk.Termination! with { CidrAllowedList = ["127.0.0.0/8"] } };
        Assert.True((await rig.Store.InsertAsync(trunk, CancellationToken.None)).IsOk);
    }

    private static async Task WaitForQuotaAsync(Rig rig, int active)
    {
        await SipCallLegTests.WaitUntilAsync(() => Quotas(rig).ActiveCalls == active);
        Assert.Equal(active, Quotas(rig).ActiveCalls);
    }

    private static OutboundCallRequest Request(SipMediaApplication sma) =>
        new(new SipMediaApplicationRef(sma.Id, sma.AwsAccountId, sma.AwsRegion, sma.Endpoint), "+15557654321", "+14155550123", null, null);

    [Fact]
    public async Task CreateCall_OverTheConcurrentQuota_HangupCarries503_AndTheSlotIsFreedWhenTheCallEnds()
    {
        await using var rig = await Rig.StartAsync(o => o with { MaxVoiceConnectorConcurrentCalls = 1 });
        var first = await rig.AddSmaAsync();
        var second = new ScriptedHandler();
        rig.Handlers.Register("second", second.HandleAsync);
        var other = await rig.AddSmaAsync("sma-2", "second");
        var prompt = await rig.AddPromptAsync("long.wav", TimeSpan.FromSeconds(20));
        rig.Handler.Script = e => ScriptedHandler.Type(e) == "CALL_ANSWERED" ? "[" + Rig.PlayAudio(prompt) + "]" : null;
        await using var callee = await rig.NewPhoneAsync();
        await AddConnectorAsync(rig, callee);

        Assert.Equal(CallControlStatus.Accepted, (await rig.Engine.CreateCallAsync(Request(first), CancellationToken.None)).Status);
        await rig.Handler.WaitForAsync("CALL_ANSWERED");
        Assert.Equal(1, Quotas(rig).ActiveCalls);

        await rig.Engine.CreateCallAsync(Request(other), CancellationToken.None);
        var refused = await second.WaitForAsync("HANGUP");
        Assert.Equal(503, (int?)refused["ActionData"]!["Parameters"]!["SipResponseCode"]);
        Assert.Equal(["NEW_OUTBOUND_CALL", "HANGUP"], second.EventTypes);
        Assert.Single(callee.Incoming);

        Assert.True(callee.Incoming.TryPeek(out var b));
        await b.HangUpAsync().WaitAsync(Rig.Patience);
        await rig.Handler.WaitForAsync("HANGUP");
        await WaitForQuotaAsync(rig, 0);

        second.Script = e => ScriptedHandler.Type(e) == "CALL_ANSWERED" ? """[{"Type":"Hangup","Parameters":{}}]""" : null;
        await rig.Engine.CreateCallAsync(Request(other), CancellationToken.None);
        await second.WaitForAsync("CALL_ANSWERED");
        await second.WaitForAsync(e => ScriptedHandler.Type(e) == "HANGUP" && second.EventTypes.Count(t => t == "HANGUP") == 2);
        await rig.AssertAllReleasedAsync();
        await WaitForQuotaAsync(rig, 0);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // trunk checks off: the source in vc1's CIDR list still makes it vc1's call
    public async Task InboundFromATrunk_OverTheConcurrentQuota_Gets503_AndIsTakenAgainOnceTheCallEnds(bool trunkChecks)
    {
        await using var rig = await Rig.StartAsync(o => o with { RequireTrunkAuthorization = trunkChecks, MaxVoiceConnectorConcurrentCalls = 1 });
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        var prompt = await rig.AddPromptAsync("long.wav", TimeSpan.FromSeconds(20));
        rig.Handler.Script = e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL" ? "[" + Rig.PlayAudio(prompt) + "]" : null;
        await AddConnectorAsync(rig, null);
        await using var phone = await rig.NewPhoneAsync();

        var first = await phone.CallAsync(rig.SipAddress, Rig.Number);
        var second = await phone.CallAsync(rig.SipAddress, Rig.Number);

        Assert.Equal(200, first.FinalStatus);
        Assert.Equal(503, second.FinalStatus);
        Assert.Single(rig.Handler.Events, e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL");
        Assert.Equal(1, Quotas(rig).ActiveCalls);

        await first.HangUpAsync().WaitAsync(Rig.Patience);
        await rig.Handler.WaitForAsync("HANGUP");
        await WaitForQuotaAsync(rig, 0);

        rig.Handler.Script = _ => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"603"}}]""";
        var third = await phone.CallAsync(rig.SipAddress, Rig.Number);
        Assert.Equal(603, third.FinalStatus);
        await rig.AssertAllReleasedAsync();
        await WaitForQuotaAsync(rig, 0);
    }

    [Fact]
    public async Task CallAndBridge_InboundAndOutboundShareTheQuota_LegBOverItFailsCallNotAnswered()
    {
        await using var rig = await Rig.StartAsync(o => o with { RequireTrunkAuthorization = true, MaxVoiceConnectorConcurrentCalls = 1 });
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = e => ScriptedHandler.Type(e) switch
        {
            "NEW_INBOUND_CALL" => "[{\"Type\":\"CallAndBridge\",\"Parameters\":{\"CallerIdNumber\":\"+15557654321\",\"Endpoints\":[{\"BridgeEndpointType\":\"AWS\",\"Arn\":\"" + VcArn + "\",\"Uri\":\"5550\"}]}}]",
            "ACTION_FAILED" => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"480"}}]""",
            _ => null,
        };
        await using var callee = await rig.NewPhoneAsync();
        await AddConnectorAsync(rig, callee);
        await using var caller = await rig.NewPhoneAsync();

        // The caller comes in through vc1 (its CIDR list admits loopback) and holds the one slot.
        var a = await caller.CallAsync(rig.SipAddress, Rig.Number);

        var failed = await rig.Handler.WaitForAsync("ACTION_FAILED");
        Assert.Equal("CallAndBridge", (string?)failed["ActionData"]!["Type"]);
        Assert.Equal("CallNotAnswered", (string?)failed["ActionData"]!["ErrorType"]);
        Assert.Empty(callee.Incoming);
        Assert.Equal(480, a.FinalStatus);
        await rig.AssertAllReleasedAsync();
        await WaitForQuotaAsync(rig, 0);
    }

    [Fact]
    public async Task InboundFromATrunk_OverTheCallsPerSecondQuota_Gets503_UntilTheSecondHasPassed()
    {
        // Virtual time for OpenSMA's side only: the calls are refused or rejected before any media runs.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await Rig.StartAsync(o => o with { RequireTrunkAuthorization = true, VoiceConnectorCallsPerSecond = 1 }, time);
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = _ => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"603"}}]""";
        await AddConnectorAsync(rig, null);
        await using var phone = await rig.NewPhoneAsync();

        var first = await phone.CallAsync(rig.SipAddress, Rig.Number);
        var second = await phone.CallAsync(rig.SipAddress, Rig.Number);
        time.Advance(TimeSpan.FromSeconds(1));
        var third = await phone.CallAsync(rig.SipAddress, Rig.Number);

        Assert.Equal((603, 503, 603), (first.FinalStatus, second.FinalStatus, third.FinalStatus));
        Assert.Equal(2, rig.Handler.Events.Count(e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL"));
    }

    [Fact]
    public async Task CallsPerSecond_OneWindowForBothDirections_AnOutboundAttemptOverItFailsLikeATrunkFailure()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await Rig.StartAsync(o => o with { RequireTrunkAuthorization = true, VoiceConnectorCallsPerSecond = 1 }, time);
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = e => ScriptedHandler.Type(e) switch
        {
            "NEW_INBOUND_CALL" => "[{\"Type\":\"CallAndBridge\",\"Parameters\":{\"CallerIdNumber\":\"+15557654321\",\"Endpoints\":[{\"BridgeEndpointType\":\"AWS\",\"Arn\":\"" + VcArn + "\",\"Uri\":\"5550\"}]}}]",
            "ACTION_FAILED" => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"480"}}]""",
            _ => null,
        };
        var second = new ScriptedHandler { Script = e => ScriptedHandler.Type(e) == "CALL_ANSWERED" ? """[{"Type":"Hangup","Parameters":{}}]""" : null };
        rig.Handlers.Register("second", second.HandleAsync);
        var other = await rig.AddSmaAsync("sma-2", "second");
        await using var callee = await rig.NewPhoneAsync();
        await AddConnectorAsync(rig, callee);
        await using var caller = await rig.NewPhoneAsync();

        // The inbound call through vc1 takes this second's one call; its CallAndBridge out vc1 is refused.
        var a = await caller.CallAsync(rig.SipAddress, Rig.Number);
        var failed = await rig.Handler.WaitForAsync("ACTION_FAILED");
        Assert.Equal("CallNotAnswered", (string?)failed["ActionData"]!["ErrorType"]);
        Assert.Equal(480, a.FinalStatus);
        Assert.Empty(callee.Incoming);

        // A second later vc1 carries a call out again.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CallControlStatus.Accepted, (await rig.Engine.CreateCallAsync(Request(other), CancellationToken.None)).Status);
        await second.WaitForAsync("CALL_ANSWERED");
        await second.WaitForAsync("HANGUP");
        Assert.Single(callee.Incoming);
    }
}
