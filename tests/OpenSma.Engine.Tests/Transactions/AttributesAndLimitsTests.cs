using System.Text;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Transactions;

/// <summary>Spec §8 (TransactionAttributes) and §9 (timeouts, retries, limits, invalid responses).</summary>
public sealed class AttributesAndLimitsTests
{
    private static string Attrs(int pairs, int valueLength = 1) =>
        "{" + string.Join(",", Enumerable.Range(0, pairs).Select(i => $"\"k{i}\":\"{new string('v', valueLength)}\"")) + "}";

    [Fact]
    public async Task Attributes_NonEmptyReplaces_NullAndAbsentKeep_EmptyObjectClears()
    {
        await using var h = new EngineHarness();
        var step = 0;
        h.Handler.Reply = e =>
        {
            step++;
            return step switch
            {
                1 => WithAttributes("{\"key1\":\"a\",\"key2\":\"b\"}", A.Pause(100)),
                2 => WithAttributes("{\"NewKey1\":\"c\",\"NewKey2\":\"d\"}", A.Pause(100)),
                3 => WithAttributes("null", A.Pause(100)),
                4 => ActionList(A.Pause(100)),
                5 => WithAttributes("{}", A.Pause(100)),
                _ => ActionList(A.Hangup()),
            };
        };
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);

        string? Attr(int index, string key) => h.Handler.Events[index].Str("CallDetails.TransactionAttributes." + key);
        Assert.False(h.Handler.Events[0].GetProperty("CallDetails").TryGetProperty("TransactionAttributes", out _));
        Assert.Equal("a", Attr(1, "key1"));
        Assert.Null(Attr(2, "key1"));
        Assert.Equal("c", Attr(2, "NewKey1"));
        Assert.Equal("d", Attr(3, "NewKey2"));
        Assert.Equal("d", Attr(4, "NewKey2"));
        Assert.False(h.Handler.Events[5].GetProperty("CallDetails").TryGetProperty("TransactionAttributes", out _));
    }

    [Theory]
    [InlineData(101, 1, "Transaction Attributes has too many mappings. Maximum number of mappings is 100")]
    [InlineData(50, 500, "Transaction Attributes payload is too large. Maximum size is 20 KB")]
    public async Task Attributes_OverLimit_InvalidLambdaResponse_ResponseRejectedWhole(int pairs, int valueLength, string message)
    {
        await using var h = new EngineHarness();
        var step = 0;
        h.Handler.Reply = e => ++step switch
        {
            1 => WithAttributes("{\"keep\":\"me\"}", A.Pause(100)),
            2 => WithAttributes(Attrs(pairs, valueLength), A.Pause(20000)),
            _ => ActionList(A.Hangup()),
        };
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewInboundCall, EventTypes.ActionSuccessful, EventTypes.InvalidLambdaResponse, EventTypes.Hangup], h.Handler.EventTypes);
        var invalid = h.Handler.Events[2];
        Assert.Equal("TransactionAttributesInvalidMapSize", invalid.Str("ErrorType"));
        Assert.Equal(message, invalid.Str("ErrorMessage"));
        Assert.False(invalid.TryGetProperty("ActionData", out _));
        // Neither the attributes nor the actions of the rejected reply were applied.
        Assert.Equal("me", invalid.Str("CallDetails.TransactionAttributes.keep"));
        Assert.DoesNotContain(h.Trace.Lines, l => l == "start Pause" && h.Trace.Lines.Count(x => x == "start Pause") > 1);
    }

    [Fact]
    public async Task Attributes_ExactlyAtTheLimits_AreAccepted()
    {
        await using var h = new EngineHarness();
        var step = 0;
        h.Handler.Reply = e => ++step == 1 ? WithAttributes(Attrs(100), A.Pause(100)) : ActionList(A.Hangup());
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);
        Assert.Equal(100, h.Handler.Events[1].GetProperty("CallDetails").GetProperty("TransactionAttributes").EnumerateObject().Count());
    }

    [Theory]
    [InlineData("TooManyActions", "Too many actions specified in a response.")]
    [InlineData("UnsupportedActionType", "Unsupported action Answer specified")]
    public async Task InvalidResponse_SendsInvalidLambdaResponse_AndRunsItsReply(string errorType, string message)
    {
        await using var h = new EngineHarness();
        var bad = errorType == "TooManyActions"
            ? ActionList([.. Enumerable.Repeat(A.Pause(100), 11)])
            : ActionList(A.Action("Answer", "{}"));
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => bad,
            EventTypes.InvalidLambdaResponse => ActionList(A.Pause(100), A.Hangup()),
            _ => null,
        };
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewInboundCall, EventTypes.InvalidLambdaResponse, EventTypes.Hangup], h.Handler.EventTypes);
        Assert.Equal(errorType, h.Handler.Events[1].Str("ErrorType"));
        Assert.Equal(message, h.Handler.Events[1].Str("ErrorMessage"));
        Assert.NotNull(leg.ConnectedAt);
    }

    [Fact]
    public async Task TenActions_AreAccepted()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList([.. Enumerable.Repeat(A.Pause(100), 9), A.Hangup()])
            : null;
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);
        Assert.Equal(9, h.Trace.Lines.Count(l => l == "end Pause: succeeded"));
    }

    public static TheoryData<string, string> UnreadableReplies => new()
    {
        { "garbage", "this is not json" },
        { "html", "<html><body>502 Bad Gateway</body></html>" },
        { "empty", "" },
        { "null", "null" },
        { "wrong schema", "{\"SchemaVersion\":\"2.0\",\"Actions\":[]}" },
        { "missing schema", "{\"Actions\":[]}" },
        { "array", "[]" },
    };

    [Theory]
    [MemberData(nameof(UnreadableReplies))]
    public async Task UnreadableReply_IsRetriedOnce_ThenEveryLegIsReleasedWith480(string name, string reply)
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = _ => reply;
        var (tx, leg) = h.StartInbound();
        var reason = await h.RunToEndAsync(tx);

        Assert.Equal(2, h.Handler.Invocations);
        Assert.Equal([EventTypes.NewInboundCall], h.Handler.EventTypes);
        Assert.Equal(480, leg.ReleasedWith);
        Assert.StartsWith("handler invocation failed", reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Engine.ActiveTransactions);
        Assert.True(name.Length > 0);
    }

    [Fact]
    public async Task HandlerTimeout_FirstAttemptAfter5s_RetrySucceeds()
    {
        await using var h = new EngineHarness();
        var attempts = 0;
        h.Handler.Before = async (e, ct) =>
        {
            if (e.Type() == EventTypes.NewInboundCall && ++attempts == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(6), h.Time, ct);
            }
        };
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Hangup()) : null;
        var start = h.Time.GetUtcNow();
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);

        Assert.Equal(2, attempts);
        Assert.Equal(0, leg.ReleasedWith);
        // The retry was sent when the first 5 s attempt ran out.
        Assert.InRange((h.Time.GetUtcNow() - start).TotalSeconds, 5, 5.2);
    }

    [Fact]
    public async Task HandlerTimeout_BothAttempts_CallReleasedWith480_NoFurtherEvents()
    {
        await using var h = new EngineHarness();
        h.Handler.Before = (e, ct) => Task.Delay(TimeSpan.FromSeconds(30), h.Time, ct);
        var start = h.Time.GetUtcNow();
        var (tx, leg) = h.StartInbound();
        var reason = await h.RunToEndAsync(tx);

        Assert.Equal(480, leg.ReleasedWith);
        Assert.Contains("timed out", reason, StringComparison.Ordinal);
        Assert.InRange((h.Time.GetUtcNow() - start).TotalSeconds, 10, 10.2);
        Assert.Equal(0, h.Engine.ActiveTransactions);
    }

    [Fact]
    public async Task HandlerTimeout_OverallBudget_LimitsTheRetry()
    {
        await using var h = new EngineHarness(new EngineOptions { AttemptTimeout = TimeSpan.FromSeconds(15), InvocationBudget = TimeSpan.FromSeconds(20) });
        h.Handler.Before = (e, ct) => Task.Delay(TimeSpan.FromSeconds(60), h.Time, ct);
        var start = h.Time.GetUtcNow();
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);
        Assert.Equal(480, leg.ReleasedWith);
        Assert.InRange((h.Time.GetUtcNow() - start).TotalSeconds, 20, 20.2);
    }

    [Fact]
    public async Task HandlerThrows_IsRetried_ThenReleasedWith480()
    {
        await using var h = new EngineHarness();
        h.Handler.Before = (e, ct) => throw new InvalidOperationException("boom");
        var (tx, leg) = h.StartInbound();
        var reason = await h.RunToEndAsync(tx);
        Assert.Equal(2, h.Handler.Invocations);
        Assert.Equal(480, leg.ReleasedWith);
        Assert.Contains("boom", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyReplyToNewInboundCall_RejectsTheCall()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = _ => ActionList();
        var (tx, leg) = h.StartInbound();
        var reason = await h.RunToEndAsync(tx);
        Assert.Equal("Actions list is empty.", reason);
        Assert.Null(leg.ConnectedAt);
        Assert.Equal(480, leg.ReleasedWith);
    }

    [Fact]
    public async Task InvocationLimit_ReachedAtThe1000thEvent_CallReleasedWith480()
    {
        await using var h = new EngineHarness(new EngineOptions { MaxInvocationsPerCall = 1000 });
        // Every reply is one short Pause: each list ends with an ACTION_SUCCESSFUL, forever.
        h.Handler.Reply = _ => ActionList(A.Pause(100));
        var (tx, leg) = h.StartInbound();
        var reason = await h.RunToEndAsync(tx, TimeSpan.FromMinutes(10));
        Assert.Equal(1000, h.Handler.Events.Count);
        Assert.Equal(480, leg.ReleasedWith);
        Assert.Contains("1000 invocations", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoTransactionIsLeftBehind_AfterManyCallsEndingEveryWay()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("p.wav", TimeSpan.FromMilliseconds(400));
        var replies = new[] { ActionList(A.Hangup()), "garbage", ActionList(A.Play("p.wav"), A.Hangup()), ActionList(A.Play("missing.wav")) };
        var i = 0;
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? replies[i++ % replies.Length] : ActionList(A.Hangup());
        var calls = Enumerable.Range(0, 8).Select(_ => h.StartInbound(new HangupCue(TimeSpan.FromSeconds(5))).Transaction).ToList();
        foreach (var call in calls)
        {
            await h.RunToEndAsync(call);
        }

        Assert.Equal(0, h.Engine.ActiveTransactions);
        Assert.All(h.Network.Legs, l => Assert.Equal(Legs.LegState.Ended, l.State));
    }

    [Fact]
    public async Task UpdateCall_UnknownOrFinishedTransaction_IsNotFound()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = _ => ActionList(A.Hangup());
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);
        var finished = await h.Engine.UpdateCallAsync("sma-1", tx.TransactionId, new Dictionary<string, string>(), default);
        var unknown = await h.Engine.UpdateCallAsync("sma-1", Guid.NewGuid().ToString(), new Dictionary<string, string>(), default);
        Assert.Equal(Control.CallControlStatus.NotFound, finished.Status);
        Assert.Equal(Control.CallControlStatus.NotFound, unknown.Status);
    }
}
