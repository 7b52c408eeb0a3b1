using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

public sealed class RtpReceiveStatisticsTests
{
    [Fact]
    public void Update_InOrder_NoLossNoJitter()
    {
        var stats = new RtpReceiveStatistics();
        for (var i = 0; i < 100; i++)
        {
            stats.Update(5, (ushort)(1000 + i), (uint)(i * 160), 50_000 + (i * 160));
        }

        Assert.Equal(100, stats.PacketsReceived);
        Assert.Equal(0, stats.CumulativeLost);
        Assert.Equal(0u, stats.Jitter);
        Assert.Equal(0, stats.TakeFractionLost());
    }

    [Fact]
    public void Update_WithLossAndWrap_CountsLossAndCycles()
    {
        var stats = new RtpReceiveStatistics();
        for (var i = 0; i < 100; i++)
        {
            if (i % 10 == 3)
            {
                continue; // lose 10 of 100
            }

            stats.Update(5, (ushort)(65500 + i), (uint)(i * 160), i * 160);
        }

        Assert.Equal(90, stats.PacketsReceived);
        Assert.Equal(10, stats.CumulativeLost);
        Assert.Equal(65536u + 63, stats.ExtendedHighestSequence);
        Assert.Equal(25, stats.TakeFractionLost()); // 10/100 * 256 = 25.6
        Assert.Equal(0, stats.TakeFractionLost());  // next interval is empty
    }

    [Fact]
    public void Update_VariableDelay_ConvergesToMeanDeviation()
    {
        var stats = new RtpReceiveStatistics();
        for (var i = 0; i < 2000; i++)
        {
            var delay = i % 2 == 0 ? 0 : 80; // alternating 0 / 10 ms
            stats.Update(5, (ushort)i, (uint)(i * 160), (i * 160) + delay);
        }

        Assert.InRange(stats.Jitter, 78u, 80u);
    }

    [Fact]
    public void Update_Duplicate_CountedButDoesNotAdvance()
    {
        var stats = new RtpReceiveStatistics();
        stats.Update(5, 10, 0, 0);
        stats.Update(5, 11, 160, 160);
        stats.Update(5, 11, 160, 170);

        Assert.Equal(11u, stats.ExtendedHighestSequence);
        Assert.Equal(-1, stats.CumulativeLost);
    }

    [Fact]
    public void Update_LargeJump_AcceptedOnlyWhenConfirmed()
    {
        var stats = new RtpReceiveStatistics();
        stats.Update(5, 10, 0, 0);

        Assert.False(stats.Update(5, 20000, 0, 0));
        Assert.True(stats.Update(5, 20001, 160, 160));
        Assert.Equal(20001u, stats.ExtendedHighestSequence);
        Assert.Equal(1, stats.PacketsReceived);
    }

    [Fact]
    public void Update_NewSsrc_RestartsStatistics()
    {
        var stats = new RtpReceiveStatistics();
        stats.Update(5, 10, 0, 0);
        stats.Update(5, 12, 320, 320);

        stats.Update(6, 500, 0, 400);

        Assert.Equal(6u, stats.Ssrc);
        Assert.Equal(1, stats.PacketsReceived);
        Assert.Equal(0, stats.CumulativeLost);
    }
}
