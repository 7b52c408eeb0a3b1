using Microsoft.Extensions.Time.Testing;
using OpenSma.Telephony.Outbound;

namespace OpenSma.Telephony.Tests.Outbound;

public sealed class CallsPerSecondLimiterTests
{
    [Fact]
    public void TryAcquire_OverTheLimitWithinOneSecond_IsRefusedUntilTheWindowMoves()
    {
        var time = new FakeTimeProvider();
        var limiter = new CallsPerSecondLimiter(time);

        Assert.True(limiter.TryAcquire("vc-1", 2));
        Assert.True(limiter.TryAcquire("vc-1", 2));
        Assert.False(limiter.TryAcquire("vc-1", 2));
        Assert.True(limiter.TryAcquire("vc-2", 2));

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(limiter.TryAcquire("vc-1", 2));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryAcquire("vc-1", 2));
    }

    [Fact]
    public void TryAcquire_NoLimit_AlwaysAllows()
    {
        var limiter = new CallsPerSecondLimiter(new FakeTimeProvider());
        Assert.All(Enumerable.Range(0, 100), _ => Assert.True(limiter.TryAcquire("vc", 0)));
    }
}
