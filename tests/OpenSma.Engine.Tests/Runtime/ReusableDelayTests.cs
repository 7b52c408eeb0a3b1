using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Runtime;

namespace OpenSma.Engine.Tests.Runtime;

public sealed class ReusableDelayTests
{
    [Fact]
    public async Task WaitAsync_CompletesWhenTheDelayHasPassed_AndCanBeReused()
    {
        var time = new FakeTimeProvider();
        using var delay = new ReusableDelay(time);
        for (var round = 0; round < 3; round++)
        {
            var wait = delay.WaitAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None);
            time.Advance(TimeSpan.FromMilliseconds(499));
            Assert.False(wait.IsCompleted);
            time.Advance(TimeSpan.FromMilliseconds(1));
            await wait;
        }
    }

    [Fact]
    public async Task WaitAsync_Cancelled_FaultsWithOperationCanceled_AndTheTimerNoLongerFires()
    {
        var time = new FakeTimeProvider();
        using var delay = new ReusableDelay(time);
        using var cts = new CancellationTokenSource();
        var wait = delay.WaitAsync(TimeSpan.FromSeconds(1), cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);

        // The next wait runs its own full duration: the cancelled one left nothing armed.
        var next = delay.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.5));
        await next;
    }

    [Fact]
    public async Task WaitAsync_WhileTheLastWaitIsUnconsumed_FallsBackToItsOwnTimer()
    {
        var time = new FakeTimeProvider();
        using var delay = new ReusableDelay(time);
        using var cts = new CancellationTokenSource();
        var first = delay.WaitAsync(TimeSpan.FromSeconds(1), cts.Token);
        await cts.CancelAsync();

        // The first wait has completed but nobody has read its result yet.
        var second = delay.WaitAsync(TimeSpan.FromSeconds(3), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(second.IsCompleted);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await first);
        time.Advance(TimeSpan.FromSeconds(1));
        await second;
    }

    [Fact]
    public void WaitAsync_AlreadyCancelledToken_Throws()
    {
        using var delay = new ReusableDelay(new FakeTimeProvider());
        var cancelled = new CancellationToken(canceled: true);
        Assert.Throws<OperationCanceledException>(() => Start(delay, cancelled));
    }

    private static void Start(ReusableDelay delay, CancellationToken cancellationToken) =>
        delay.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).AsTask().GetAwaiter().GetResult();
}
