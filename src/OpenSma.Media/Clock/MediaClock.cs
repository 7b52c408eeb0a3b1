using OpenSma.Media.Rtp;

namespace OpenSma.Media.Clock;

/// <summary>
/// One 20 ms clock for all outbound streams. Every tick is scheduled from the absolute start time
/// (start + n x 20 ms), never from the previous callback, so lateness does not accumulate. A tick
/// may be divided into evenly spaced slots (<see cref="MediaClockOptions.Slots"/>): a listener
/// keeps its slot, so its packets leave at the same offset in every tick, and a large number of
/// streams is spread over the tick instead of leaving in one burst. A late wake-up catches up by
/// delivering the missed ticks in order; if it falls further behind than
/// <see cref="MaxCatchUpTicks"/> it skips the oldest ones (the tick numbers still say how much
/// time passed). Listeners that throw are isolated from each other and from the clock.
/// With <see cref="TimeProvider.System"/> the ticks run on a dedicated thread
/// (<see cref="ClockThread"/>); with any other provider, on its timer. With a
/// <see cref="MediaClockOptions.SendLead"/> every tick is delivered that much before it is due, and
/// on a dedicated thread its packets are queued in a <see cref="TimedSendRing"/> that the kernel
/// sends at the due time. A listener may ask for a packet of its tick to leave later within the
/// tick (<see cref="DeferredSends"/>: packets of a ptime other than 20 ms); the clock sends it at
/// its due time, or queues it on the ring with that due time.
/// </summary>
public sealed class MediaClock : IDisposable
{
    public static readonly TimeSpan FrameInterval = TimeSpan.FromMilliseconds(20);
    public const int MaxCatchUpTicks = 50;

    private static readonly long FrameTicks = FrameInterval.Ticks;

    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly Lock _gate = new();
    private readonly Action<Exception>? _onListenerError;
    private readonly int _slotCount;
    private long _leadTicks;
    private readonly int _timedSendSlots;
    private readonly ITimer? _timer;
    private readonly ClockThread? _thread;
    private IMediaClockListener[][] _slots;
    private long _nextTick = 1;
    private int _nextSlot;
    private long _listenerFaults;
    private bool _disposed;
    private TimedSendRing? _ring;
    private readonly DeferredSends _deferred;
    private readonly Lock _timerRun = new();

    public MediaClock(TimeProvider time)
        : this(time, new MediaClockOptions())
    {
    }

    /// <param name="onListenerError">Told about exceptions thrown by listeners (for logging).</param>
    public MediaClock(TimeProvider time, Action<Exception>? onListenerError)
        : this(time, new MediaClockOptions { OnListenerError = onListenerError })
    {
    }

    public MediaClock(TimeProvider time, MediaClockOptions options)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Slots, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Slots, MediaClockOptions.MaxSlots);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SendLead, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.SendLead, MediaClockOptions.MaxSendLead);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TimedSendSlots, TimedSendRing.MinSlots);
        _leadTicks = options.SendLead.Ticks;
        _timedSendSlots = options.TimedSendSlots;
        _time = time;
        _onListenerError = options.OnListenerError;
        _slotCount = options.Slots;
        _slots = new IMediaClockListener[_slotCount][];
        for (var i = 0; i < _slotCount; i++)
        {
            _slots[i] = [];
        }

        _deferred = new DeferredSends(OnDeferredSendError);
        _startTimestamp = time.GetTimestamp();
        if (options.DedicatedThread && ReferenceEquals(time, TimeProvider.System))
        {
            _thread = new ClockThread(RunOnThread, () =>
            {
                _deferred.Clear();
                _ring?.Dispose();
            });
            _thread.Start();
        }
        else
        {
            _timer = time.CreateTimer(static state => ((MediaClock)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            var first = FrameInterval - options.SendLead;
            _timer.Change(first < TimeSpan.Zero ? TimeSpan.Zero : first, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The last tick whose delivery has started.</summary>
    public long CurrentTick
    {
        get
        {
            lock (_gate)
            {
                return _nextSlot == 0 ? _nextTick - 1 : _nextTick;
            }
        }
    }

    public long ListenerFaults => Interlocked.Read(ref _listenerFaults);

    public int ListenerCount
    {
        get
        {
            var count = 0;
            foreach (var slot in Volatile.Read(ref _slots))
            {
                count += slot.Length;
            }

            return count;
        }
    }

    public int SlotCount => _slotCount;

    /// <summary>How far ahead of its due time each tick is delivered (<see cref="MediaClockOptions.SendLead"/>).</summary>
    public TimeSpan SendLead => TimeSpan.FromTicks(_leadTicks);

    /// <summary>True when this clock's packets leave at their due time from the kernel (a lead, a dedicated thread, io_uring available).</summary>
    public bool SendsTimed => Volatile.Read(ref _ring) is not null;

    /// <summary>Why timed sends are off although a lead was asked for; null otherwise.</summary>
    public string? TimedSendError { get; private set; }

    /// <summary>Whether timed sends (io_uring) work in this process; <paramref name="error"/> says why not.</summary>
    public static bool TimedSendsAvailable(out string? error)
    {
        using var ring = TimedSendRing.TryCreate(64, out error);
        return ring is not null;
    }

    /// <summary>True where <see cref="System.Diagnostics.Stopwatch"/> timestamps are CLOCK_MONOTONIC nanoseconds (Linux), the clock io_uring timeouts use.</summary>
    internal static bool TimestampIsMonotonicNanoseconds => PreciseSleep.IsPrecise;

    /// <summary>The clock's start (a <see cref="TimeProvider.GetTimestamp"/> value); tick n is due at start + n x 20 ms plus the listener's slot offset.</summary>
    public long StartTimestamp => _startTimestamp;

    /// <summary>The offset within each tick at which <paramref name="listener"/> is ticked; null when it is not subscribed.</summary>
    public TimeSpan? GetOffset(IMediaClockListener listener)
    {
        var slots = Volatile.Read(ref _slots);
        for (var i = 0; i < slots.Length; i++)
        {
            if (Array.IndexOf(slots[i], listener) >= 0)
            {
                return TimeSpan.FromTicks(SlotOffsetTicks(i));
            }
        }

        return null;
    }

    public IDisposable Subscribe(IMediaClockListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var least = 0;
            for (var i = 1; i < _slots.Length; i++)
            {
                if (_slots[i].Length < _slots[least].Length)
                {
                    least = i;
                }
            }

            var next = (IMediaClockListener[][])_slots.Clone();
            next[least] = [.. next[least], listener];
            Volatile.Write(ref _slots, next);
        }

        return new Subscription(this, listener);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            var empty = new IMediaClockListener[_slotCount][];
            Array.Fill(empty, []);
            Volatile.Write(ref _slots, empty);
        }

        _timer?.Dispose();
        _thread?.Stop();
        if (_timer is not null)
        {
            // A timer callback in progress finishes first; nothing waiting is sent after this.
            lock (_timerRun)
            {
                _deferred.Clear();
            }
        }
    }

    /// <summary>Datagrams waiting for their due time within a tick (see <see cref="DeferredSends"/>), for tests.</summary>
    internal int DeferredCount => _deferred.Count;

    private void Unsubscribe(IMediaClockListener listener)
    {
        lock (_gate)
        {
            for (var i = 0; i < _slots.Length; i++)
            {
                var index = Array.IndexOf(_slots[i], listener);
                if (index < 0)
                {
                    continue;
                }

                var slot = _slots[i];
                var shorter = new IMediaClockListener[slot.Length - 1];
                Array.Copy(slot, 0, shorter, 0, index);
                Array.Copy(slot, index + 1, shorter, index, shorter.Length - index);
                var next = (IMediaClockListener[][])_slots.Clone();
                next[i] = shorter;
                Volatile.Write(ref _slots, next);
                return;
            }
        }
    }

    // Exact offset of a slot within the tick, in TimeSpan ticks (rounded up, so a slot is never early).
    private long SlotOffsetTicks(int slot) => ((slot * FrameTicks) + _slotCount - 1) / _slotCount;

    private void OnTimer()
    {
        lock (_timerRun)
        {
            RunDue();
            lock (_gate)
            {
                if (_disposed)
                {
                    _deferred.Clear();
                    return;
                }

                // Arm for the absolute time of the next slot or deferred send, measured after the work above.
                var nextDue = TimeSpan.FromTicks(NextWakeTicks()) - _time.GetElapsedTime(_startTimestamp);
                _timer!.Change(nextDue < TimeSpan.Zero ? TimeSpan.Zero : nextDue, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private long? RunOnThread()
    {
        if (_ring is null && _leadTicks > 0)
        {
            // Created on the clock thread itself: only this thread submits to it. If it cannot be,
            // the lead is dropped below, so this is tried once.
            Volatile.Write(ref _ring, TimedSendRing.TryCreate(_timedSendSlots, out var error));
            TimedSendError = error;
            if (error is not null)
            {
                // Without the kernel sending at the due time, a lead would only delay every stream.
                _leadTicks = 0;
            }
        }

        RunDue();
        lock (_gate)
        {
            if (_disposed)
            {
                return null;
            }

            return ToTimestamp(NextWakeTicks());
        }
    }

    private long NextDueTicks() => (_nextTick * FrameTicks) + SlotOffsetTicks(_nextSlot);

    // When the clock must run next (ticks from the start): the next slot's delivery, or a deferred
    // datagram's send if that comes first (with timed sends none waits: they are on the ring).
    private long NextWakeTicks() =>
        (_deferred.Count > 0 ? Math.Min(NextDueTicks(), _deferred.NextDue) : NextDueTicks()) - _leadTicks;

    private long ToTimestamp(long ticksFromStart) =>
        _startTimestamp + (long)((decimal)ticksFromStart * _time.TimestampFrequency / TimeSpan.TicksPerSecond);

    // Delivers every (tick, slot) whose time has come, in order. Only one caller runs at a time:
    // the timer is re-armed, and the thread loops, only after the previous run returned.
    private void RunDue()
    {
        // With a lead, what is due is what falls due within the lead from now.
        var elapsed = _time.GetElapsedTime(_startTimestamp).Ticks + _leadTicks;
        var dueTick = elapsed / FrameTicks;
        var remainder = elapsed - (dueTick * FrameTicks);
        var dueSlot = (int)Math.Min(_slotCount - 1, remainder * _slotCount / FrameTicks);
        var tick = _nextTick;
        var slot = _nextSlot;
        if (dueTick - tick >= MaxCatchUpTicks)
        {
            tick = dueTick - MaxCatchUpTicks + 1;
            slot = 0;
        }

        while (tick < dueTick || (tick == dueTick && slot <= dueSlot))
        {
            // Datagrams deferred by earlier slots leave first, so a stream's packets keep their order.
            var slotTime = (tick * FrameTicks) + SlotOffsetTicks(slot);
            _deferred.SendDue(slotTime);
            Deliver(Volatile.Read(ref _slots)[slot], tick, slotTime);
            if (++slot == _slotCount)
            {
                slot = 0;
                tick++;
            }
        }

        _deferred.SendDue(elapsed);
        _ring?.Submit();
        lock (_gate)
        {
            if (tick > _nextTick || (tick == _nextTick && slot > _nextSlot))
            {
                _nextTick = tick;
                _nextSlot = slot;
            }
        }
    }

    private void Deliver(IMediaClockListener[] listeners, long tick, long slotTime)
    {
        var ring = _ring;
        ring?.BeginChain(ToTimestamp(slotTime));
        _deferred.Enter(slotTime);
        try
        {
            foreach (var listener in listeners)
            {
                try
                {
                    listener.OnTick(tick);
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref _listenerFaults);
                    ReportListenerError(ex);
                }
            }
        }
        finally
        {
            DeferredSends.Leave();
            ring?.EndChain();
        }

        if (ring is not null)
        {
            // Timed sends: what the listeners deferred goes on the ring now, one chain per due time.
            while (_deferred.Count > 0)
            {
                var due = _deferred.NextDue;
                ring.BeginChain(ToTimestamp(due));
                try
                {
                    _deferred.SendDue(due);
                }
                finally
                {
                    ring.EndChain();
                }
            }
        }
    }

    private void OnDeferredSendError(Exception ex)
    {
        Interlocked.Increment(ref _listenerFaults);
        ReportListenerError(ex);
    }

    private void ReportListenerError(Exception ex)
    {
        try
        {
            _onListenerError?.Invoke(ex);
        }
        catch (Exception)
        {
            // An error reporter that fails must not stop the clock.
        }
    }

    private sealed class Subscription(MediaClock clock, IMediaClockListener listener) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                clock.Unsubscribe(listener);
            }
        }
    }
}
