using OpenSma.Media.Mixing;

namespace OpenSma.Media.Tests.Mixing;

/// <summary>The delay statistics on virtual time: packet k is sent at k frames, arrives when the test says.</summary>
public sealed class PlayoutDelayEstimatorTests
{
    private const int Frame = 160;
    private const int Max = 1120;

    private static PlayoutDelayEstimator Fresh()
    {
        var estimator = default(PlayoutDelayEstimator);
        estimator.Reset();
        return estimator;
    }

    // Packet k arrives delay(k) samples after it was sent.
    private static void Feed(ref PlayoutDelayEstimator estimator, int from, int to, Func<int, int> delay)
    {
        for (var k = from; k < to; k++)
        {
            var clock = (uint)((k * Frame) + delay(k));
            estimator.OnArrival(clock, unchecked(clock - (uint)(k * Frame) + 12345)); // any fixed offset between the clocks
        }
    }

    [Fact]
    public void NoStatistics_TargetsOneFrame_SteadyArrivalsBringItToZero()
    {
        var estimator = Fresh();
        Assert.Equal(PlayoutDelayEstimator.InitialTarget, estimator.Target(0, Max));

        Feed(ref estimator, 0, 100, _ => 0);
        Assert.Equal(Frame, estimator.Percentile); // the start is remembered for a while (fast up, slow down)
        Feed(ref estimator, 100, 500, _ => 0);
        Assert.Equal(0, estimator.Percentile);
        Assert.Equal(0, estimator.Target(500 * Frame, Max));
    }

    [Fact]
    public void Percentile_CoversTheDelaysOfAllButTheLatestFivePercent()
    {
        var tenPercent = Fresh();
        var twoPercent = Fresh();

        Feed(ref tenPercent, 0, 2000, k => k % 10 == 0 ? 320 : 0);
        Feed(ref twoPercent, 0, 2000, k => k % 50 == 0 ? 320 : 0);

        Assert.Equal(320, tenPercent.Percentile);
        Assert.Equal(0, twoPercent.Percentile);
    }

    [Fact]
    public void LoneSpike_IsIgnored_RepeatedSpikes_AreCoveredUntilTheyStop()
    {
        var estimator = Fresh();
        Feed(ref estimator, 0, 1000, k => k == 800 ? 800 : 0);
        Assert.Equal(0, estimator.Target(1000 * Frame, Max));

        // A second spike within ten seconds: the target covers the higher one.
        Feed(ref estimator, 1000, 1200, k => k == 1100 ? 640 : 0);
        Assert.Equal(800, estimator.Target(1200 * Frame, Max));
        Assert.Equal(Frame, estimator.Target(1200 * Frame, Frame)); // never more than the buffer holds

        // Held for twenty seconds after the last spike, then the percentile again.
        Feed(ref estimator, 1200, 2000, _ => 0);
        Assert.Equal(800, estimator.Target(2000 * Frame, Max));
        Feed(ref estimator, 2000, 2200, _ => 0);
        Assert.Equal(0, estimator.Target(2200 * Frame, Max));
    }

    [Fact]
    public void StalledBurst_CountsAsOneSpike()
    {
        // Three packets held back and released together are one event, not a repeating pattern.
        var estimator = Fresh();
        Feed(ref estimator, 0, 1000, k => k is >= 600 and < 603 ? (603 - k) * Frame : 0);

        Assert.Equal(0, estimator.Target(1000 * Frame, Max));
    }

    [Fact]
    public void Reference_FollowsALongerRoute()
    {
        // From packet 500 every packet takes 40 ms longer: a delay at first, but once the fastest
        // packets of the old route are out of the reference windows (two to four seconds), the
        // new normal.
        var estimator = Fresh();
        Feed(ref estimator, 0, 500, _ => 0);
        Feed(ref estimator, 500, 520, _ => 320);
        Assert.Equal(320, estimator.Percentile);
        Feed(ref estimator, 520, 1400, _ => 320);

        Assert.Equal(0, estimator.Percentile);
        Assert.Equal(0, estimator.Target(1400 * Frame, Max));
    }

    [Fact]
    public void Reference_IsTheFastestRecentPacket()
    {
        var estimator = Fresh();
        Feed(ref estimator, 0, 100, k => k == 50 ? -80 : 0);

        Assert.Equal(unchecked((uint)(12345 - 80)), estimator.Reference);
    }
}
