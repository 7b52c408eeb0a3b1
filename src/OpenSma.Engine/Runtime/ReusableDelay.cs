using System.Threading.Tasks.Sources;

namespace OpenSma.Engine.Runtime;

/// <summary>
/// One transaction's reusable delay: one timer for the life of the call and a resettable
/// completion, so a Pause costs no timer, promise or waiter of its own (Task.Delay allocates all
/// three per call). One wait at a time: while the last wait has not been consumed (an interrupted
/// Pause whose continuation is still queued), a new wait falls back to Task.Delay.
/// </summary>
internal sealed class ReusableDelay : IValueTaskSource, IDisposable
{
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private ManualResetValueTaskSourceCore<bool> _core;
    private CancellationTokenRegistration _registration;
    private CancellationToken _token;
    private int _armed;
    private bool _inUse;

    public ReusableDelay(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(static s => ((ReusableDelay)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Completes after <paramref name="delay"/>, or faults with OperationCanceledException when the token is cancelled.</summary>
    public ValueTask WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (_inUse)
        {
            return new ValueTask(Task.Delay(delay, _time, cancellationToken));
        }

        cancellationToken.ThrowIfCancellationRequested();
        _inUse = true;
        _core.Reset();
        _token = cancellationToken;
        Volatile.Write(ref _armed, 1);
        _registration = cancellationToken.UnsafeRegister(static s => ((ReusableDelay)s!).Cancel(), this);
        _timer.Change(delay, Timeout.InfiniteTimeSpan);
        return new ValueTask(this, _core.Version);
    }

    private void Fire()
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            // Unregister, not Dispose: a cancellation running on another thread must not be waited for here.
            _registration.Unregister();
            _core.SetResult(true);
        }
    }

    private void Cancel()
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _core.SetException(new OperationCanceledException(_token));
        }
    }

    public void GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            _token = default;
            _inUse = false;
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    public void Dispose()
    {
        Cancel();
        _timer.Dispose();
    }
}
