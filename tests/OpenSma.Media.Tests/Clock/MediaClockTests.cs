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

    [Fact]
    public void OnTick_WithSlots_EachListenerAtItsOwnOffsetEveryTick()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time, new MediaClockOptions { Slots = 4 });
        var log = new List<(string Name, long Tick, TimeSpan At)>();
        var start = time.GetUtcNow();
        var listeners = new[] { "a", "b", "c", "d", "e" }.ToDictionary(n => n, n => new Named(n, (n, t) => log.Add((n, t, time.GetUtcNow() - start))));
        foreach (var listener in listeners.Values)
        {
            clock.Subscribe(listener);
        }

        for (var ms = 0; ms < 60; ms++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        // Least-used slot first: a, b, c, d take slots 0-3 (0, 5, 10, 15 ms), e shares slot 0.
        Assert.Equal([0, 5, 10, 15, 0], listeners.Values.Select(l => (int)clock.GetOffset(l)!.Value.TotalMilliseconds));
        Assert.Equal(
            [("a", 1, 20), ("e", 1, 20), ("b", 1, 25), ("c", 1, 30), ("d", 1, 35), ("a", 2, 40), ("e", 2, 40), ("b", 2, 45), ("c", 2, 50), ("d", 2, 55), ("a", 3, 60), ("e", 3, 60)],
            log.Select(l => (l.Name, l.Tick, (int)l.At.TotalMilliseconds)));
    }

    [Fact]
    public void GetOffset_SubscribedListeners_AreSpreadEvenlyOverTheTick()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time, new MediaClockOptions { Slots = 10 });
        var listeners = Enumerable.Range(0, 25).Select(_ => new Recorder()).ToArray();
        foreach (var listener in listeners)
        {
            clock.Subscribe(listener);
        }

        var offsets = listeners.Select(l => clock.GetOffset(l)!.Value.TotalMilliseconds).ToArray();

        Assert.Equal([0, 2, 4, 6, 8, 10, 12, 14, 16, 18], offsets.Distinct().Order());
        Assert.All(offsets.GroupBy(o => o), g => Assert.InRange(g.Count(), 2, 3));
        Assert.Null(clock.GetOffset(new Recorder()));
    }

    [Fact]
    public void OnTick_WithSlotsAndALateWakeUp_DeliversEverySlotOfEveryTickInOrder()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time, new MediaClockOptions { Slots = 2 });
        var log = new List<(string Name, long Tick)>();
        clock.Subscribe(new Named("a", (n, t) => log.Add((n, t))));
        clock.Subscribe(new Named("b", (n, t) => log.Add((n, t))));

        time.Advance(TimeSpan.FromMilliseconds(75));

        Assert.Equal([("a", 1), ("b", 1), ("a", 2), ("b", 2), ("a", 3), ("b", 3)], log);
        Assert.Equal(3, clock.CurrentTick);
    }

    [Fact]
    public void Constructor_SlotsOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MediaClock(new FakeTimeProvider(), new MediaClockOptions { Slots = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MediaClock(new FakeTimeProvider(), new MediaClockOptions { Slots = MediaClockOptions.MaxSlots + 1 }));
    }

    [Fact]
    public void Constructor_TimedSendSlotsBelowTheRingsMinimum_Throws()
    {
        // Refused here, not when the clock thread first creates its ring: an exception there would
        // end the thread (and the process).
        Assert.Throws<ArgumentOutOfRangeException>(() => new MediaClock(new FakeTimeProvider(), new MediaClockOptions { TimedSendSlots = 63 }));
        new MediaClock(new FakeTimeProvider(), new MediaClockOptions { TimedSendSlots = 64 }).Dispose();
    }

    [Fact]
    public async Task OnTick_SystemTime_RunsOnTheClocksOwnThread()
    {
        using var clock = new MediaClock(TimeProvider.System, new MediaClockOptions { Slots = 5 });
        var listener = new ThreadRecorder(10);
        clock.Subscribe(listener);

        var threads = await listener.Done.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(threads, t => Assert.Equal("OpenSMA media clock", t));
        Assert.Equal(listener.Ticks.Order(), listener.Ticks);
        Assert.Equal(10, listener.Ticks.Distinct().Count());
    }

    private sealed class Named(string name, Action<string, long> onTick) : IMediaClockListener
    {
        public void OnTick(long tick) => onTick(name, tick);
    }

    private sealed class ThreadRecorder(int wanted) : IMediaClockListener
    {
        private readonly List<string?> _threads = [];
        private readonly TaskCompletionSource<string?[]> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<long> Ticks { get; } = [];

        public Task<string?[]> Done => _done.Task;

        public void OnTick(long tick)
        {
            if (_threads.Count < wanted)
            {
                _threads.Add(Thread.CurrentThread.Name);
                Ticks.Add(tick);
                if (_threads.Count == wanted)
                {
                    _done.TrySetResult([.. _threads]);
                }
            }
        }
    }
}
