using OpenSma.Engine.Contracts;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests;

/// <summary>The per-SMA limit of active calls (EngineOptions.MaxActiveCallsPerSipMediaApplication).</summary>
public sealed class CallEngineQuotaTests
{
    private const string Callee = "+15557770000";

    private static readonly SipMediaApplicationRef Second =
        new("sma-2", "111122223333", "us-west-2", DelegateHandlerResolver.EndpointFor("second"));

    private static EngineHarness Limited(int max)
    {
        var h = new EngineHarness(new EngineOptions { MaxActiveCallsPerSipMediaApplication = max });
        // Calls stay up on a long prompt until the test lets them go.
        h.AddPrompt("long.wav", TimeSpan.FromSeconds(60));
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall || e.Type() == EventTypes.CallAnswered
            ? ActionList(A.Play("long.wav"))
            : null;
        return h;
    }

    private VirtualLeg Inbound(EngineHarness h) =>
        h.Network.CreateInbound(EngineHarness.Caller, EngineHarness.Called, VirtualParty.Answering());

    [Fact]
    public async Task CreateCallAsync_OverTheLimit_ResourceLimitExceeded_AndFreedWhenACallEnds()
    {
        await using var h = Limited(2);
        var request = new OutboundCallRequest(h.Application, EngineHarness.Caller, Callee, null, null);
        var first = await h.Engine.CreateCallAsync(request, default);
        var second = await h.Engine.CreateCallAsync(request, default);
        var third = await h.Engine.CreateCallAsync(request, default);

        Assert.Equal(CallControlStatus.Accepted, first.Status);
        Assert.Equal(CallControlStatus.Accepted, second.Status);
        Assert.Equal(CallControlStatus.ResourceLimitExceeded, third.Status);
        Assert.Null(third.TransactionId);
        Assert.Contains("limit of 2 active calls", third.Message, StringComparison.Ordinal);
        Assert.Equal(2, h.Engine.ActiveCalls("sma-1"));
        // The refused request dialed nobody.
        Assert.Equal(2, h.Network.Legs.Count);

        Assert.True(h.Engine.TryGetTransaction(first.TransactionId!, out var tx));
        tx.Abort("test frees a slot");
        await h.RunToEndAsync(tx);
        Assert.Equal(1, h.Engine.ActiveCalls("sma-1"));
        var fourth = await h.Engine.CreateCallAsync(request, default);
        Assert.Equal(CallControlStatus.Accepted, fourth.Status);
    }

    [Fact]
    public async Task CreateCallAsync_NoLimitConfigured_AcceptsEveryCall()
    {
        await using var h = new EngineHarness();
        var request = new OutboundCallRequest(h.Application, EngineHarness.Caller, Callee, null, null);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(CallControlStatus.Accepted, (await h.Engine.CreateCallAsync(request, default)).Status);
        }

        Assert.Equal(20, h.Engine.ActiveCalls("sma-1"));
    }

    [Fact]
    public async Task StartInboundCall_SmaAtItsLimit_CanAcceptIsFalse_AndTheLegIsRefusedWith503WithoutAnEvent()
    {
        await using var h = Limited(1);
        var (busy, _) = h.StartInbound();
        await h.RunForAsync(TimeSpan.FromSeconds(1));
        Assert.False(h.Engine.CanAcceptInboundCall([h.Application]));

        var leg = Inbound(h);
        var refused = h.Engine.StartInboundCall(h.Application, leg, "rule-1");
        var reason = await h.RunToEndAsync(refused);

        Assert.Equal(CallEngine.CapacityRefusalSipCode, leg.ReleasedWith);
        Assert.Null(leg.ConnectedAt);
        Assert.Contains("limit of 1 active calls", reason, StringComparison.Ordinal);
        Assert.Equal(1, h.Handler.Invocations);
        Assert.Equal(1, h.Engine.ActiveCalls("sma-1"));
        Assert.False(busy.Completion.IsCompleted);

        busy.Abort("done");
        await h.RunToEndAsync(busy);
        Assert.True(h.Engine.CanAcceptInboundCall([h.Application]));
        Assert.Equal(0, h.Engine.ActiveCalls("sma-1"));
    }

    [Fact]
    public async Task StartInboundCall_FirstTargetFull_NextTargetTakesTheCallAtOnce()
    {
        await using var h = Limited(1);
        var second = new ScriptedHandler { Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Hangup()) : null };
        h.Handlers.Register("second", second.HandleAsync);
        h.StartInbound();
        await h.RunForAsync(TimeSpan.FromSeconds(1));

        Assert.True(h.Engine.CanAcceptInboundCall([h.Application, Second]));
        var leg = Inbound(h);
        var tx = h.Engine.StartInboundCall([h.Application, Second], leg, "rule-1");
        await h.RunToEndAsync(tx);

        Assert.Equal(1, h.Handler.Invocations);
        Assert.Equal("sma-2", second.Events[0].Str("CallDetails.SipMediaApplicationId"));
        Assert.Equal(0, leg.ReleasedWith);
    }

    [Fact]
    public async Task Failover_SkipsATargetAtItsLimit()
    {
        await using var h = Limited(1);
        var third = new SipMediaApplicationRef("sma-3", "111122223333", "eu-central-1", DelegateHandlerResolver.EndpointFor("third"));
        var secondHandler = new ScriptedHandler { Reply = _ => ActionList(A.Play("long.wav")) };
        var thirdHandler = new ScriptedHandler { Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Hangup()) : null };
        h.Handlers.Register("second", secondHandler.HandleAsync);
        h.Handlers.Register("third", thirdHandler.HandleAsync);
        // sma-2 is full with a call of its own.
        var occupying = h.Engine.StartInboundCall(Second, Inbound(h), "rule-2");
        await h.RunForAsync(TimeSpan.FromSeconds(1));
        h.Handler.Reply = _ => "not json";

        var leg = Inbound(h);
        var tx = h.Engine.StartInboundCall([h.Application, Second, third], leg, "rule-1");
        await h.RunToEndAsync(tx);

        Assert.Equal(2, h.Handler.Invocations);
        Assert.Equal(1, secondHandler.Invocations);
        Assert.Equal("sma-3", thirdHandler.Events[0].Str("CallDetails.SipMediaApplicationId"));
        Assert.Equal(0, leg.ReleasedWith);
        Assert.Contains(h.Trace.Lines, l => l.StartsWith("failover sma-1 -> sma-2: skipped", StringComparison.Ordinal));
        Assert.Equal(0, h.Engine.ActiveCalls("sma-1"));
        Assert.Equal(0, h.Engine.ActiveCalls("sma-3"));
        Assert.Equal(1, h.Engine.ActiveCalls("sma-2"));
        Assert.False(occupying.Completion.IsCompleted);
    }

    [Fact]
    public async Task ActiveCalls_FollowsTheCallWhenItFailsOver()
    {
        await using var h = new EngineHarness();
        var second = new ScriptedHandler { Reply = _ => ActionList(A.Play("long.wav")) };
        h.AddPrompt("long.wav", TimeSpan.FromSeconds(60));
        h.Handlers.Register("second", second.HandleAsync);
        h.Handler.Reply = _ => "";
        // The first SMA's handler holds its reply until the count has been read: the mailbox may
        // otherwise fail the call over before StartInboundCall has returned to this thread.
        var counted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Handler.Before = (_, _) => counted.Task;
        var tx = h.Engine.StartInboundCall([h.Application, Second], Inbound(h), "rule-1");
        Assert.Equal(1, h.Engine.ActiveCalls("sma-1"));
        counted.SetResult();
        Assert.True(await h.RunUntilAsync(() => second.Invocations >= 1));

        Assert.Equal(0, h.Engine.ActiveCalls("sma-1"));
        Assert.Equal(1, h.Engine.ActiveCalls("sma-2"));
        tx.Abort("done");
        await h.RunToEndAsync(tx);
        Assert.Equal(0, h.Engine.ActiveCalls("sma-2"));
    }
}
