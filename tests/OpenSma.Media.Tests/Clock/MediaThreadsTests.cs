using OpenSma.Media.Clock;

namespace OpenSma.Media.Tests.Clock;

public sealed class MediaThreadsTests
{
    private const int SchedOther = 0;
    private const int SchedFifo = 1;

    [Fact]
    public async Task TryEnable_ClockThreadStartedAfterwards_RunsUnderFifoOneAboveThePriority_AndNormalOnceDisabled()
    {
        var enabled = MediaThreads.TryEnable(20, out var error);
        try
        {
            var (policy, priority) = await SchedulingOfAClockThread();
            if (enabled)
            {
                Assert.Null(error);
                Assert.Equal(20, MediaThreads.RealTimePriority);
                Assert.Equal(SchedFifo, policy);
                Assert.Equal(21, priority);
            }
            else
            {
                // Without CAP_SYS_NICE nothing changes and the reason says what is missing.
                Assert.Contains("CAP_SYS_NICE", error);
                Assert.Equal(0, MediaThreads.RealTimePriority);
                Assert.Equal(SchedOther, policy);
            }
        }
        finally
        {
            MediaThreads.Disable();
        }

        Assert.Equal(0, MediaThreads.RealTimePriority);
        Assert.Equal((SchedOther, 0), await SchedulingOfAClockThread());
    }

    [Fact]
    public void TryEnable_CallingThreadKeepsNormalScheduling()
    {
        try
        {
            MediaThreads.TryEnable(5, out _);
            Assert.Equal(SchedOther, MediaThreads.CurrentThreadScheduling().Policy);
        }
        finally
        {
            MediaThreads.Disable();
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(99)]
    public void TryEnable_PriorityOutOfRange_Throws(int priority) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MediaThreads.TryEnable(priority, out _));

    private static async Task<(int Policy, int Priority)> SchedulingOfAClockThread()
    {
        using var clock = new MediaClock(TimeProvider.System);
        var probe = new SchedulingProbe();
        clock.Subscribe(probe);
        return await probe.Seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private sealed class SchedulingProbe : IMediaClockListener
    {
        public TaskCompletionSource<(int, int)> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnTick(long tick) => Seen.TrySetResult(MediaThreads.CurrentThreadScheduling());
    }
}
