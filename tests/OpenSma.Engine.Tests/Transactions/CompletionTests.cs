using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Support;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Transactions;

/// <summary>The completion source is made only when someone asks for it; either order gives the reason.</summary>
public sealed class CompletionTests
{
    [Fact]
    public async Task Completion_FirstAskedForAfterTheCallEnded_IsCompleteWithTheReason()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Hangup()) : null;
        var (tx, _) = h.StartInbound();
        Assert.True(await h.RunUntilAsync(() => h.Engine.ActiveTransactions == 0));

        var completion = tx.Completion;
        Assert.True(completion.IsCompleted);
        Assert.Equal("all legs ended", await completion);
        Assert.Same(completion, tx.Completion);
    }

    [Fact]
    public async Task Completion_AskedForWhileTheCallRuns_CompletesWhenItEnds()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Pause(1000), A.Hangup()) : null;
        var (tx, _) = h.StartInbound();
        var completion = tx.Completion;
        Assert.False(completion.IsCompleted);

        Assert.Equal("all legs ended", await h.RunToEndAsync(tx));
        Assert.True(completion.IsCompleted);
        Assert.Equal("all legs ended", await completion);
    }
}
