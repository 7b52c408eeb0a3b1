namespace OpenSma.Media.Clock;

/// <summary>
/// One 20 ms clock for all outbound streams. Every tick is scheduled from the absolute start time
/// (start + n x 20 ms), never from the previous callback, so timer lateness does not accumulate.
/// A late callback catches up by delivering the missed ticks in order; if it falls further
/// behind than <see cref="MaxCatchUpTicks"/> it skips the oldest ones (the tick numbers still
/// say how much time passed). Listeners that throw are isolated from each other and from the clock.
/// </summary>
public sealed class MediaClock : IDisposable
{
    public static readonly TimeSpan FrameInterval = TimeSpan.FromMilliseconds(20);
    public const int MaxCatchUpTicks = 50;

    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly Lock _gate = new();
    private readonly Action<Exception>? _onListenerError;
    private readonly ITimer _timer;
    private IMediaClockListener[] _listeners = [];
    private long _nextTick = 1;
    private long _listenerFaults;
    private bool _disposed;

    public MediaClock(TimeProvider time)
        : this(time, null)
    {
    }

    /// <param name="onListenerError">Told about exceptions thrown by listeners (for logging).</param>
    public MediaClock(TimeProvider time, Action<Exception>? onListenerError)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _onListenerError = onListenerError;
        _startTimestamp = time.GetTimestamp();
        _timer = time.CreateTimer(static state => ((MediaClock)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(FrameInterval, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The last tick delivered.</summary>
    public long CurrentTick => Interlocked.Read(ref _nextTick) - 1;

    public long ListenerFaults => Interlocked.Read(ref _listenerFaults);

    public int ListenerCount => Volatile.Read(ref _listeners).Length;

    public IDisposable Subscribe(IMediaClockListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _listeners = [.. _listeners, listener];
        }

        return new Subscription(this, listener);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _listeners = [];
        }

        _timer.Dispose();
    }

    private void Unsubscribe(IMediaClockListener listener)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_listeners, listener);
            if (index < 0)
            {
                return;
            }

            var next = new IMediaClockListener[_listeners.Length - 1];
            Array.Copy(_listeners, 0, next, 0, index);
            Array.Copy(_listeners, index + 1, next, index, next.Length - index);
            _listeners = next;
        }
    }

    private void OnTimer()
    {
        var elapsed = _time.GetElapsedTime(_startTimestamp);
        var dueTick = elapsed.Ticks / FrameInterval.Ticks;
        var tick = _nextTick;
        if (dueTick - tick >= MaxCatchUpTicks)
        {
            tick = dueTick - MaxCatchUpTicks + 1;
        }

        for (; tick <= dueTick; tick++)
        {
            var listeners = Volatile.Read(ref _listeners);
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

        Volatile.Write(ref _nextTick, Math.Max(_nextTick, dueTick + 1));

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // Arm for the absolute time of the next tick, measured after the work above.
            var nextDue = TimeSpan.FromTicks(_nextTick * FrameInterval.Ticks) - _time.GetElapsedTime(_startTimestamp);
            _timer.Change(nextDue < TimeSpan.Zero ? TimeSpan.Zero : nextDue, Timeout.InfiniteTimeSpan);
        }
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
