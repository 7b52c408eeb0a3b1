using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Clock;

namespace OpenSma.Media.Tests.Clock;

public sealed class MediaClockLeadTests
{
    private sealed class Recorder(TimeProvider time, long start) : IMediaClockListener
    {
        public List<(long Tick, TimeSpan At)> Ticks { get; } = [];

        public void OnTick(long tick) => Ticks.Add((tick, time.GetElapsedTime(start)));
    }

    [Fact]
    public void SendLead_DeliversEveryTickThatMuchBeforeItIsDue_WithoutDrift()
    {
        var time = new FakeTimeProvider();
        var start = time.GetTimestamp();
        using var clock = new MediaClock(time, new MediaClockOptions { SendLead = TimeSpan.FromMilliseconds(60) });
        var listener = new Recorder(time, start);
        clock.Subscribe(listener);

        // Ticks 1-3 (due at 20, 40, 60 ms) were within the lead when the clock started, before the
        // listener subscribed; tick 4 (due at 80 ms) is delivered at 20 ms.
        time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.Empty(listener.Ticks);
        for (var i = 0; i < 482; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        // At 501 ms every tick due by 561 ms has been delivered, each at its due time minus 60 ms.
        Assert.Equal(Enumerable.Range(4, 25).Select(i => (long)i), listener.Ticks.Select(t => t.Tick));
        Assert.All(listener.Ticks, t => Assert.Equal(TimeSpan.FromMilliseconds((t.Tick * 20) - 60), t.At));
        Assert.Equal(TimeSpan.FromMilliseconds(60), clock.SendLead);
        Assert.False(clock.SendsTimed);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(201)]
    public void SendLead_OutOfRange_IsRefused(int milliseconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new MediaClock(new FakeTimeProvider(), new MediaClockOptions { SendLead = TimeSpan.FromMilliseconds(milliseconds) }));
    }
}
