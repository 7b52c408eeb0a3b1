namespace OpenSma.Sip.Transactions;

/// <summary>
/// A one-shot timer on <see cref="TimeProvider"/> whose callback runs under the stack's gate, so
/// timer expiry is ordered with message handling and never races it.
/// </summary>
internal sealed class TransactionTimer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Lock _gate;
    private ITimer? _timer;
    private int _generation;

    public TransactionTimer(TimeProvider time, Lock gate)
    {
        _time = time;
        _gate = gate;
    }

    public bool IsRunning => _timer is not null;

    public void Start(TimeSpan due, Action onFire)
    {
        Stop();
        var generation = ++_generation;
        if (due <= TimeSpan.Zero)
        {
            onFire();
            return;
        }

        _timer = _time.CreateTimer(
            _ =>
            {
                lock (_gate)
                {
                    // A stale callback from a stopped or restarted timer is ignored.
                    if (generation != _generation)
                    {
                        return;
                    }

                    _timer?.Dispose();
                    _timer = null;
                    onFire();
                }
            },
            null,
            due,
            Timeout.InfiniteTimeSpan);
    }

    public void Stop()
    {
        _generation++;
        _timer?.Dispose();
        _timer = null;
    }

    public void Dispose() => Stop();
}
