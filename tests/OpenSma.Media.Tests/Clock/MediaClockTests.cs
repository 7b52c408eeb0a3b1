using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Clock;

namespace OpenSma.Media.Tests.Clock;

public sealed class MediaClockTests
{
    private sealed class Recorder : IMediaClockListener
    {
        public List<long> Ticks { get; } = [];

        public void OnTick(long tick) => Ticks.Add(tick);
    }

    private sealed class Thrower : IMediaClockListener
    {
        public void OnTick(long tick) => throw new InvalidOperationException("listener bug");
    }

    [Fact]
    public void OnTick_Every20Milliseconds_DeliversConsecutiveTicks()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var listener = new Recorder();
        clock.Subscribe(listener);

        time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.Empty(listener.Ticks);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([1], listener.Ticks);
        for (var i = 0; i < 9; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), listener.Ticks);
    }

    [Fact]
    public void OnTick_UnevenAdvances_NeverDrifts()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var listener = new Recorder();
        clock.Subscribe(listener);

        // 10 s in uneven 7 ms and 13 ms steps: exactly 500 ticks, whatever the step pattern.
        var elapsed = 0;
        var step = 0;
        while (elapsed < 10_000)
        {
            var ms = Math.Min(step++ % 2 == 0 ? 7 : 13, 10_000 - elapsed);
            time.Advance(TimeSpan.FromMilliseconds(ms));
            elapsed += ms;
        }

        Assert.Equal(500, listener.Ticks.Count);
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), listener.Ticks);
        Assert.Equal(500, clock.CurrentTick);
    }

    [Fact]
    public void OnTick_LargeJump_CatchesUpInOrder()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var listener = new Recorder();
        clock.Subscribe(listener);

        time.Advance(TimeSpan.FromMilliseconds(30 * 20));

        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), listener.Ticks);
    }

    [Fact]
    public void OnTick_JumpBeyondCatchUpLimit_SkipsOldestTicksButKeepsNumbering()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var listener = new Recorder();
        clock.Subscribe(listener);

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(MediaClock.MaxCatchUpTicks, listener.Ticks.Count);
        Assert.Equal(500, listener.Ticks[^1]);
        Assert.Equal(Enumerable.Range(451, 50).Select(i => (long)i), listener.Ticks);
    }

    [Fact]
    public void Subscribe_Disposed_StopsTicks()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var listener = new Recorder();
        var subscription = clock.Subscribe(listener);
        time.Advance(TimeSpan.FromMilliseconds(40));

        subscription.Dispose();
        time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal([1, 2], listener.Ticks);
        Assert.Equal(0, clock.ListenerCount);
    }

    [Fact]
    public void OnTick_ListenerThrows_OthersKeepTicking()
    {
        var time = new FakeTimeProvider();
        var errors = new List<Exception>();
        using var clock = new MediaClock(time, errors.Add);
        clock.Subscribe(new Thrower());
        var listener = new Recorder();
        clock.Subscribe(listener);

        time.Advance(TimeSpan.FromMilliseconds(60));

        Assert.Equal([1, 2, 3], listener.Ticks);
        Assert.Equal(3, clock.ListenerFaults);
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Dispose_StopsTheClock()
    {
        var time = new FakeTimeProvider();
        var clock = new MediaClock(time);
        var listener = new Recorder();
        clock.Subscribe(listener);
        time.Advance(TimeSpan.FromMilliseconds(20));

        clock.Dispose();
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([1], listener.Ticks);
        Assert.Throws<ObjectDisposedException>(() => clock.Subscribe(listener));
    }
}
