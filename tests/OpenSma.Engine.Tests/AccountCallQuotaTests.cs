using OpenSma.Engine.Contracts;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests;

/// <summary>
/// The account/Region active-call quota (EngineOptions.MaxActiveCalls, spec §9.4): a transaction
/// counts one, a CallAndBridge LEG-B one more from its dialing until it ends (spec §7.10).
/// </summary>
public sealed class AccountCallQuotaTests
{
    private const string Account = "111122223333";
    private const string Region = "us-east-1";
    private const string Callee = "+14155550123";
    private const string Other = "+15557770000";

    private static string Bridge() =>
        "{\"Type\":\"CallAndBridge\",\"Parameters\":{\"CallerIdNumber\":\"+15559870000\",\"CallTimeoutSeconds\":10,\"Endpoints\":[{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"" + Callee + "\"}]}}";

    private static EngineHarness Limited(int max)
    {
        var h = new EngineHarness(new EngineOptions { MaxActiveCalls = max });
        h.AddPrompt("long.wav", TimeSpan.FromSeconds(120));
        // Outbound calls reach a phone that answers and stays.
        h.Network.Register(Other, VirtualParty.Answering());
        return h;
    }

    /// <summary>
    /// Another SMA of the same account and Region whose handler keeps its calls up on a long prompt
    /// (the harness handler keeps one event per Sequence, so each call under test gets its own handler).
    /// </summary>
    private static SipMediaApplicationRef Keeper(EngineHarness h, string id, Func<System.Text.Json.JsonElement, string?>? reply = null)
    {
        var handler = new ScriptedHandler
        {
            Reply = reply ?? (e => e.Type() is EventTypes.NewInboundCall or EventTypes.CallAnswered ? ActionList(A.Play("long.wav")) : null),
        };
        h.Handlers.Register(id, handler.HandleAsync);
        return new SipMediaApplicationRef(id, Account, Region, DelegateHandlerResolver.EndpointFor(id));
    }

    private static string PlayOnA() => A.Play("long.wav", ",\"ParticipantTag\":\"LEG-A\"");

    private static bool Saw(EngineHarness h, string type, string? actionType = null) =>
        h.Handler.Events.Any(e => e.Type() == type && (actionType is null || e.Str("ActionData.Type") == actionType));

    private static int Active(EngineHarness h) => h.Engine.ActiveCalls(Account, Region);

    [Fact]
    public async Task CallAndBridge_CountsTwoWhileBridged_AndOneAgainWhenLegBHangsUp()
    {
        await using var h = Limited(10);
        h.Network.Register(Callee, VirtualParty.Answering(new HangupCue(TimeSpan.FromSeconds(5))) with { RingFor = TimeSpan.FromSeconds(2) });
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(Bridge()),
            EventTypes.Hangup => ActionList(PlayOnA()),
            _ => null,
        };

        var (tx, _) = h.StartInbound();
        await h.RunForAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, Active(h)); // LEG-B counts from the moment it is dialed
        Assert.True(await h.RunUntilAsync(() => Saw(h, EventTypes.ActionSuccessful, ActionTypes.CallAndBridge)));
        Assert.Equal(2, Active(h));

        Assert.True(await h.RunUntilAsync(() => Saw(h, EventTypes.Hangup)));
        Assert.Equal("LEG-B", h.Handler.Events.First(e => e.Type() == EventTypes.Hangup).Str("ActionData.Parameters.ParticipantTag"));
        Assert.Equal(1, Active(h));

        tx.Abort("test over");
        await h.RunToEndAsync(tx);
        Assert.Equal(0, Active(h));
    }

    [Fact]
    public async Task CallAndBridge_OverTheLimit_FailsActionExecutionThrottled_WithoutDialing()
    {
        await using var h = Limited(2);
        h.Network.Register(Callee, VirtualParty.Answering());
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(Bridge()),
            EventTypes.ActionFailed => ActionList(A.Hangup()),
            _ => null,
        };
        var occupying = await h.Engine.CreateCallAsync(new OutboundCallRequest(Keeper(h, "keeper"), EngineHarness.Caller, Other, null, null), default);
        Assert.Equal(CallControlStatus.Accepted, occupying.Status);

        var (tx, legA) = h.StartInbound();
        await h.RunToEndAsync(tx);

        var failed = h.Handler.Events.Single(e => e.Type() == EventTypes.ActionFailed);
        Assert.Equal(ActionTypes.CallAndBridge, failed.Str("ActionData.Type"));
        Assert.Equal("ActionExecutionThrottled", failed.Str("ActionData.ErrorType"));
        Assert.Equal("Failed to run action. The maximum number of active calls has been reached.", failed.Str("ActionData.ErrorMessage"));
        Assert.DoesNotContain(h.Network.Legs, l => l.To == Callee);
        Assert.NotNull(legA.ReleasedWith);
        Assert.Equal(1, Active(h));
    }

    [Theory]
    [InlineData(VirtualAnswer.Busy)]
    [InlineData(VirtualAnswer.NoAnswer)]
    [InlineData(VirtualAnswer.Reject)]
    public async Task CallAndBridge_NotAnswered_LegBSlotIsFreed(VirtualAnswer answer)
    {
        await using var h = Limited(2);
        h.Network.Register(Callee, new VirtualParty { Answer = answer, RingFor = TimeSpan.FromSeconds(2) });
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(Bridge()),
            EventTypes.ActionFailed => ActionList(PlayOnA()),
            _ => null,
        };

        var (tx, _) = h.StartInbound();
        Assert.True(await h.RunUntilAsync(() => Saw(h, EventTypes.ActionFailed)));
        Assert.Equal("CallNotAnswered", h.Handler.Events[1].Str("ActionData.ErrorType"));
        Assert.Equal(1, Active(h));

        // The freed slot is usable: a second call fits under the limit of 2.
        var second = await h.Engine.CreateCallAsync(new OutboundCallRequest(Keeper(h, "keeper"), EngineHarness.Caller, Other, null, null), default);
        Assert.Equal(CallControlStatus.Accepted, second.Status);
        Assert.Equal(2, Active(h));
        tx.Abort("test over");
        await h.RunToEndAsync(tx);
        Assert.Equal(1, Active(h));
    }

    [Fact]
    public async Task HangupActionOnLegB_FreesItsSlot_AbortWhileBridgedFreesBoth()
    {
        await using var h = Limited(3);
        h.Network.Register(Callee, VirtualParty.Answering());
        h.Handler.Reply = e => (e.Type(), e.Str("ActionData.Type")) switch
        {
            (EventTypes.NewInboundCall, _) => ActionList(Bridge()),
            (EventTypes.ActionSuccessful, ActionTypes.CallAndBridge) => ActionList(A.Hangup("\"ParticipantTag\":\"LEG-B\""), PlayOnA()),
            _ => null,
        };
        var (first, _) = h.StartInbound();
        Assert.True(await h.RunUntilAsync(() => h.Trace.Lines.Contains("start PlayAudio")));
        Assert.Equal(1, Active(h));

        var bridging = Keeper(h, "bridging", e => e.Type() == EventTypes.NewInboundCall ? ActionList(Bridge()) : null);
        var second = h.Engine.StartInboundCall(bridging, h.Network.CreateInbound(EngineHarness.Caller, EngineHarness.Called, VirtualParty.Answering()), "rule-2");
        Assert.True(await h.RunUntilAsync(() => h.Network.Legs.Count(l => l.To == Callee && l.State == Legs.LegState.Connected) == 1));
        Assert.Equal(3, Active(h));
        Assert.False(h.Engine.CanAcceptInboundCall([h.Application]));

        second.Abort("test frees the bridged call");
        await h.RunToEndAsync(second);
        Assert.Equal(1, Active(h));
        Assert.True(h.Engine.CanAcceptInboundCall([h.Application]));
        first.Abort("test over");
        await h.RunToEndAsync(first);
        Assert.Equal(0, Active(h));
    }

    [Fact]
    public async Task BridgedCallFillsTheQuota_InboundCallIsRefusedWith503WithoutAnEvent()
    {
        await using var h = Limited(2);
        h.Network.Register(Callee, VirtualParty.Answering());
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(Bridge()) : null;
        var (bridged, _) = h.StartInbound();
        Assert.True(await h.RunUntilAsync(() => Saw(h, EventTypes.ActionSuccessful, ActionTypes.CallAndBridge)));
        var invocations = h.Handler.Invocations;

        var leg = h.Network.CreateInbound(EngineHarness.Caller, EngineHarness.Called, VirtualParty.Answering());
        var refused = h.Engine.StartInboundCall(h.Application, leg, "rule-1");
        var reason = await h.RunToEndAsync(refused);

        Assert.Equal(CallEngine.CapacityRefusalSipCode, leg.ReleasedWith);
        Assert.Null(leg.ConnectedAt);
        Assert.Contains($"Account {Account} has reached its limit of 2 active calls in {Region}", reason, StringComparison.Ordinal);
        Assert.Equal(invocations, h.Handler.Invocations);
        Assert.Equal(2, Active(h));
        bridged.Abort("test over");
        await h.RunToEndAsync(bridged);
        Assert.Equal(0, Active(h));
    }

    [Fact]
    public async Task CreateCall_TheQuotaIsSharedBySmasOfOneRegion_AndSeparatePerRegion()
    {
        await using var h = Limited(1);
        h.Handler.Reply = e => e.Type() == EventTypes.CallAnswered ? ActionList(A.Play("long.wav")) : null;
        var sameRegion = new SipMediaApplicationRef("sma-2", Account, Region, DelegateHandlerResolver.EndpointFor("test"));
        var otherRegion = new SipMediaApplicationRef("sma-3", Account, "us-west-2", DelegateHandlerResolver.EndpointFor("test"));

        var first = await h.Engine.CreateCallAsync(new OutboundCallRequest(h.Application, EngineHarness.Caller, Other, null, null), default);
        var second = await h.Engine.CreateCallAsync(new OutboundCallRequest(sameRegion, EngineHarness.Caller, "+15557770001", null, null), default);
        var third = await h.Engine.CreateCallAsync(new OutboundCallRequest(otherRegion, EngineHarness.Caller, "+15557770002", null, null), default);

        Assert.Equal(CallControlStatus.Accepted, first.Status);
        Assert.Equal(CallControlStatus.ResourceLimitExceeded, second.Status);
        Assert.Equal($"Account {Account} has reached its limit of 1 active calls in {Region}.", second.Message);
        Assert.Equal(CallControlStatus.Accepted, third.Status);
        Assert.Equal((1, 1), (Active(h), h.Engine.ActiveCalls(Account, "us-west-2")));
        // The refused call took no per-SMA slot either.
        Assert.Equal(0, h.Engine.ActiveCalls("sma-2"));
        Assert.Equal(2, h.Network.Legs.Count);
    }

    [Fact]
    public async Task Failover_WithinOneRegion_KeepsTheCallsSlot_EvenAtTheLimit()
    {
        await using var h = Limited(1);
        var second = new ScriptedHandler { Reply = _ => ActionList(A.Play("long.wav")) };
        h.Handlers.Register("second", second.HandleAsync);
        h.Handler.Reply = _ => "not json";
        var secondSma = new SipMediaApplicationRef("sma-2", Account, Region, DelegateHandlerResolver.EndpointFor("second"));
        var leg = h.Network.CreateInbound(EngineHarness.Caller, EngineHarness.Called, VirtualParty.Answering());

        var tx = h.Engine.StartInboundCall([h.Application, secondSma], leg, "rule-1");
        Assert.True(await h.RunUntilAsync(() => second.Invocations >= 1));

        Assert.Equal("sma-2", tx.Application.SipMediaApplicationId);
        Assert.Equal(1, Active(h));
        Assert.Equal((0, 1), (h.Engine.ActiveCalls("sma-1"), h.Engine.ActiveCalls("sma-2")));
        tx.Abort("test over");
        await h.RunToEndAsync(tx);
        Assert.Equal(0, Active(h));
    }

    [Fact]
    public async Task NoLimit_CountsButNeverRefuses()
    {
        await using var h = new EngineHarness();
        h.Network.Register(Callee, VirtualParty.Answering());
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(Bridge()) : null;
        var calls = Enumerable.Range(0, 5).Select(_ => h.StartInbound().Transaction).ToList();
        Assert.True(await h.RunUntilAsync(() => h.Network.Legs.Count(l => l.To == Callee && l.State == Legs.LegState.Connected) == 5));
        Assert.Equal(10, Active(h));

        foreach (var call in calls)
        {
            call.Abort("test over");
            await h.RunToEndAsync(call);
        }

        Assert.Equal(0, Active(h));
    }
}
