using OpenSma.Engine.Contracts;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Transactions;

/// <summary>
/// SIP-rule failover (spec §1, §9.1): when NEW_INBOUND_CALL cannot be invoked on the first-priority
/// SMA, the next one gets the call; when every target fails the call is hung up with 480.
/// </summary>
public sealed class SipRuleFailoverTests
{
    private static readonly SipMediaApplicationRef Second =
        new("sma-2", "111122223333", "us-west-2", DelegateHandlerResolver.EndpointFor("second"));

    private static readonly SipMediaApplicationRef Third =
        new("sma-3", "111122223333", "eu-central-1", DelegateHandlerResolver.EndpointFor("third"));

    private static (ScriptedHandler Second, ScriptedHandler Third) AddTargets(EngineHarness h)
    {
        var second = new ScriptedHandler();
        var third = new ScriptedHandler();
        h.Handlers.Register("second", second.HandleAsync);
        h.Handlers.Register("third", third.HandleAsync);
        return (second, third);
    }

    private static (Engine.Transactions.CallTransaction Transaction, VirtualLeg Leg) StartWithTargets(
        EngineHarness h, params SipMediaApplicationRef[] targets)
    {
        var leg = h.Network.CreateInbound(EngineHarness.Caller, EngineHarness.Called, VirtualParty.Answering());
        return (h.Engine.StartInboundCall(targets, leg, "rule-1"), leg);
    }

    [Fact]
    public async Task StartInboundCall_FirstTargetTimesOut_NextTargetGetsTheCallAsANewCall()
    {
        await using var h = new EngineHarness();
        var (second, _) = AddTargets(h);
        h.Handler.Before = (e, ct) => Task.Delay(TimeSpan.FromSeconds(30), h.Time, ct);
        second.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Pause(500), A.Hangup()) : null;
        var start = h.Time.GetUtcNow();
        var (tx, leg) = StartWithTargets(h, h.Application, Second);
        var reason = await h.RunToEndAsync(tx);

        // The first SMA got its attempt and its retry (5 s each), then the second SMA took over.
        Assert.Equal(2, h.Handler.Invocations);
        // The Pause is silent; the Hangup reports HANGUP.
        Assert.Equal([EventTypes.NewInboundCall, EventTypes.Hangup], second.EventTypes);
        var first = second.Events[0];
        Assert.Equal("1", first.Str("Sequence"));
        Assert.Equal("sma-2", first.Str("CallDetails.SipMediaApplicationId"));
        Assert.Equal("us-west-2", first.Str("CallDetails.AwsRegion"));
        Assert.Equal("rule-1", first.Str("CallDetails.SipRuleId"));
        Assert.Equal(tx.TransactionId, first.Str("CallDetails.TransactionId"));
        Assert.All(second.Events, e => Assert.Equal("sma-2", e.Str("CallDetails.SipMediaApplicationId")));
        Assert.Equal("sma-2", tx.Application.SipMediaApplicationId);
        // Two 5 s attempts on the first SMA, then the second SMA's 0.5 s Pause.
        Assert.InRange((h.Time.GetUtcNow() - start).TotalSeconds, 10.5, 10.8);
        Assert.Equal(0, leg.ReleasedWith);
        Assert.Equal("all legs ended", reason);
        Assert.Contains(h.Trace.Lines, l => l.StartsWith("failover sma-1 -> sma-2", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> InvocationFailures => new()
    {
        { "garbage", "this is not json" },
        { "blank", "" },
        { "html", "<html><body>502 Bad Gateway</body></html>" },
        { "wrong schema", "{\"SchemaVersion\":\"2.0\",\"Actions\":[]}" },
        { "missing schema", "{\"Actions\":[]}" },
        { "throws", "throw" },
    };

    [Theory]
    [MemberData(nameof(InvocationFailures))]
    public async Task StartInboundCall_FirstTargetCannotBeInvoked_NextTargetAnswers(string name, string reply)
    {
        await using var h = new EngineHarness();
        var (second, _) = AddTargets(h);
        h.Handler.Reply = _ => reply == "throw" ? throw new InvalidOperationException(name) : reply;
        second.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Hangup()) : null;
        var (tx, leg) = StartWithTargets(h, h.Application, Second);
        await h.RunToEndAsync(tx);

        Assert.Equal(2, h.Handler.Invocations);
        Assert.Equal(EventTypes.NewInboundCall, Assert.Single(second.EventTypes.Take(1)));
        Assert.Equal("1", second.Events[0].Str("Sequence"));
        Assert.Equal(0, leg.ReleasedWith);
    }

    [Fact]
    public async Task StartInboundCall_FirstTargetHasNoHandler_NextTargetAnswers()
    {
        await using var h = new EngineHarness();
        var (second, _) = AddTargets(h);
        second.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Hangup()) : null;
        var missing = new SipMediaApplicationRef("sma-gone", "111122223333", "us-east-1", "arn:aws:lambda:us-east-1:111122223333:function:nobody-serves-this");
        var (tx, leg) = StartWithTargets(h, missing, Second);
        await h.RunToEndAsync(tx);

        Assert.Equal("sma-2", second.Events[0].Str("CallDetails.SipMediaApplicationId"));
        Assert.Equal(0, leg.ReleasedWith);
    }

    [Fact]
    public async Task StartInboundCall_EveryTargetFails_LegReleasedWith480AfterEachWasTried()
    {
        await using var h = new EngineHarness();
        var (second, third) = AddTargets(h);
        h.Handler.Reply = _ => "";
        second.Before = (e, ct) => throw new InvalidOperationException("function error");
        third.Before = (e, ct) => Task.Delay(TimeSpan.FromSeconds(30), h.Time, ct);
        var (tx, leg) = StartWithTargets(h, h.Application, Second, Third);
        var reason = await h.RunToEndAsync(tx);

        Assert.Equal(2, h.Handler.Invocations);
        Assert.Equal(2, second.Invocations);
        Assert.Equal(2, third.Invocations);
        Assert.Equal(480, leg.ReleasedWith);
        Assert.Null(leg.ConnectedAt);
        Assert.StartsWith("handler invocation failed", reason, StringComparison.Ordinal);
        Assert.Contains("timed out", reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Engine.ActiveTransactions);
        Assert.Equal(0, h.Engine.ActiveCalls("sma-3"));
    }

    [Fact]
    public async Task StartInboundCall_EmptyActionsReply_IsAnAnswerNotAFailure_NoFailover()
    {
        await using var h = new EngineHarness();
        var (second, _) = AddTargets(h);
        h.Handler.Reply = _ => ActionList();
        var (tx, leg) = StartWithTargets(h, h.Application, Second);
        var reason = await h.RunToEndAsync(tx);

        Assert.Equal("Actions list is empty.", reason);
        Assert.Equal(480, leg.ReleasedWith);
        Assert.Equal(0, second.Invocations);
    }

    [Fact]
    public async Task StartInboundCall_TooManyActions_InvalidLambdaResponseGoesToTheSameSma_NoFailover()
    {
        await using var h = new EngineHarness();
        var (second, _) = AddTargets(h);
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList([.. Enumerable.Repeat(A.Pause(10), 11)])
            : ActionList(A.Hangup());
        var (tx, _) = StartWithTargets(h, h.Application, Second);
        await h.RunToEndAsync(tx);

        Assert.Equal(EventTypes.InvalidLambdaResponse, h.Handler.EventTypes[1]);
        Assert.Equal(0, second.Invocations);
    }

    [Fact]
    public async Task LaterEventFails_AfterTheCallWasTaken_NoFailover_CallReleasedWith480()
    {
        await using var h = new EngineHarness();
        var (second, _) = AddTargets(h);
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Pause(100)) : "garbage";
        var (tx, leg) = StartWithTargets(h, h.Application, Second);
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewInboundCall, EventTypes.ActionSuccessful], h.Handler.EventTypes);
        Assert.Equal(480, leg.ReleasedWith);
        Assert.Equal(0, second.Invocations);
    }

    [Fact]
    public async Task UpdateCall_AfterFailover_IsAddressedToTheSmaThatTookTheCall()
    {
        await using var h = new EngineHarness();
        var (second, _) = AddTargets(h);
        h.Handler.Reply = _ => "";
        second.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(A.Play("long.wav")),
            EventTypes.CallUpdateRequested => ActionList(A.Hangup()),
            _ => null,
        };
        h.AddPrompt("long.wav", TimeSpan.FromSeconds(60));
        var (tx, _) = StartWithTargets(h, h.Application, Second);
        Assert.True(await h.RunUntilAsync(() => second.Invocations >= 1));
        await h.RunForAsync(TimeSpan.FromSeconds(1));

        var wrong = await h.Engine.UpdateCallAsync("sma-1", tx.TransactionId, new Dictionary<string, string>(), default);
        var right = await h.Engine.UpdateCallAsync("sma-2", tx.TransactionId, new Dictionary<string, string> { ["a"] = "b" }, default);
        await h.RunToEndAsync(tx);

        Assert.Equal(CallControlStatus.NotFound, wrong.Status);
        Assert.Equal(CallControlStatus.Accepted, right.Status);
        Assert.Contains(EventTypes.CallUpdateRequested, second.EventTypes);
    }

    [Fact]
    public void StartInboundCall_NoTargets_IsAnArgumentError()
    {
        using var network = new VirtualNetwork(TimeProvider.System);
        var engine = new CallEngine(new EngineOptions(), TimeProvider.System, new Storage.Objects.FolderObjectStore(Path.GetTempPath()), network, []);
        var leg = network.CreateInbound(EngineHarness.Caller, EngineHarness.Called, VirtualParty.Answering());
        Assert.Throws<ArgumentException>(() => engine.StartInboundCall(Array.Empty<SipMediaApplicationRef>(), leg, "rule-1"));
    }
}
