namespace OpenSma.Engine.Runtime;

/// <summary>
/// Counts work that is queued or running in transaction mailboxes, and outside work the engine
/// waits on in real time (an HTTP handler call). On virtual time the clock may only move when the
/// count is zero, so a test or <c>opensma call --fast</c> advances time exactly when the engine has
/// nothing left to do at the current instant.
/// </summary>
public sealed class ActivityTracker
{
    private readonly Lock _gate = new();
    private int _busy;
    private TaskCompletionSource? _idle;

    public bool IsIdle => Volatile.Read(ref _busy) == 0;

    public void Enter() => Interlocked.Increment(ref _busy);

    public void Exit()
    {
        if (Interlocked.Decrement(ref _busy) != 0)
        {
            return;
        }

        TaskCompletionSource? idle;
        lock (_gate)
        {
            idle = _idle;
            _idle = null;
        }

        idle?.TrySetResult();
    }

    /// <summary>Marks real-time outside work (I/O) the virtual clock must wait for.</summary>
    public IDisposable BeginExternal()
    {
        Enter();
        return new ExternalScope(this);
    }

    public Task WhenIdleAsync()
    {
        lock (_gate)
        {
            if (Volatile.Read(ref _busy) == 0)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var task = _idle.Task;
            // Re-check: the count may have dropped to zero before the completion source existed.
            if (Volatile.Read(ref _busy) == 0)
            {
                _idle = null;
                return Task.CompletedTask;
            }

            return task;
        }
    }

    private sealed class ExternalScope(ActivityTracker tracker) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                tracker.Exit();
            }
        }
    }
}
