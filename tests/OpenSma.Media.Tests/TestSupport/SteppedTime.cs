namespace OpenSma.Media.Tests.TestSupport;

/// <summary>
/// A virtual clock whose stepping allocates nothing (FakeTimeProvider allocates a waiter for every
/// timer change), for allocation tests of clock-driven paths. <see cref="Advance"/> fires each due
/// timer at its own due time, in due order, then leaves the time at the end of the step.
/// </summary>
internal sealed class SteppedTime : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly List<Timer> _timers = [];
    private long _now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _now;

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(_now);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan step)
    {
        var end = _now + step.Ticks;
        while (true)
        {
            Timer? next = null;
            foreach (var timer in _timers)
            {
                if (timer.Due <= end && (next is null || timer.Due < next.Due))
                {
                    next = timer;
                }
            }

            if (next is null)
            {
                break;
            }

            _now = Math.Max(_now, next.Due);
            next.Fire();
        }

        _now = end;
    }

    private sealed class Timer(SteppedTime time, TimerCallback callback, object? state) : ITimer
    {
        public long Due { get; private set; } = long.MaxValue;

        private long _period;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : time._now + dueTime.Ticks;
            _period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            return true;
        }

        public void Fire()
        {
            Due = _period > 0 ? Due + _period : long.MaxValue;
            callback(state);
        }

        public void Dispose()
        {
            Due = long.MaxValue;
            time._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
